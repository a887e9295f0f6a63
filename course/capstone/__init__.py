"""The capstone: a piece of work the learner writes in the browser, reviewed by a person against
the course's rubric (their organisation's manager, or a trainer); it can gate the certificate."""
