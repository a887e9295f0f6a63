"""Capstone attachments on disk (security.md, "Uploads"): the type is read from the bytes (never
the name or the client's content type) and must be PDF, DOCX, PNG or JPEG; files are stored under
a random name in a folder outside any static folder and are only ever served as downloads.

A DOCX is recognised from its zip directory alone (the entries Word writes); nothing is
extracted or parsed, so a zip bomb costs nothing here."""

from __future__ import annotations

import io
import os
import secrets
import zipfile
from pathlib import Path

PDF, DOCX, PNG, JPEG = "pdf", "docx", "png", "jpeg"
MIME = {
    PDF: "application/pdf",
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PNG: "image/png",
    JPEG: "image/jpeg",
}
EXTENSION = {PDF: ".pdf", DOCX: ".docx", PNG: ".png", JPEG: ".jpg"}
LABEL = {PDF: "PDF", DOCX: "Word document", PNG: "PNG image", JPEG: "JPEG image"}
MAX_ZIP_ENTRIES = 5_000
NAME_BYTES = 24


def sniff(data: bytes) -> str | None:
    """pdf, docx, png or jpeg from the file's own bytes; None for anything else."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04") and _is_docx(data):
        return DOCX
    return None


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                return False
            names = {info.filename for info in infos}
    except (zipfile.BadZipFile, ValueError, OSError):
        return False
    return "[Content_Types].xml" in names and "word/document.xml" in names


def new_name() -> str:
    """A random stored name: nothing of the learner's file name survives."""
    return secrets.token_urlsafe(NAME_BYTES)


def path_of(folder: Path, name: str) -> Path:
    """Where a stored attachment lives; a name that is not one of ours gives a ValueError."""
    if not name or any(ch not in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                  "0123456789-_" for ch in name):
        raise ValueError("not a stored attachment name")
    return folder / name


def store(folder: Path, data: bytes) -> str:
    """Write `data` under a new random name (atomically) and return the name."""
    folder.mkdir(parents=True, exist_ok=True)
    name = new_name()
    target = path_of(folder, name)
    partial = folder / f".{name}.part"
    with open(partial, "xb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, target)
    return name


def remove(folder: Path, name: str | None) -> None:
    """Delete a stored attachment if it is there."""
    if name:
        try:
            path_of(folder, name).unlink(missing_ok=True)
        except ValueError:
            pass
