"""Errors a user can cause. The CLI prints any `UserError` as one line and exits with code 2."""

from __future__ import annotations


class UserError(Exception):
    """A problem with the input (file, option, model) rather than a bug: reported as one line."""


class ParseError(UserError):
    """Bad IR text; carries file:line:col."""

    def __init__(self, message: str, file: str = "<string>", line: int = 0, col: int = 0):
        self.file, self.line, self.col, self.message = file, line, col, message
        super().__init__(f"{file}:{line}:{col}: error: {message}")


class VerifyError(UserError):
    """The IR breaks a structural, type or op rule. The message names the op and its location."""


class UnsupportedError(UserError):
    """An op, attribute value or type that Ziggurat does not handle (yet)."""
