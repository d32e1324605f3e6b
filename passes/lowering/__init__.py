"""Lowerings between IR levels (graph -> tensor -> loop), each a registered pass (see the lowering contract)."""
