"""Passes that work on any dialect: dce, cse, fold-constants, apply-patterns."""
