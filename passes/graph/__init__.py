"""Graph-dialect passes: canonicalize, fuse, mixed-precision."""
