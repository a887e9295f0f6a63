"""Certificates: the renderer now; issuing, verification and the pages come next."""
