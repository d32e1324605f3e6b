"""CLI verbs: one module each, discovered automatically; each defines `register(subparsers)`."""
