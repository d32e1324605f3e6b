"""Loop transforms on loop.kernel bodies: tile, interchange, unroll, vectorize, parallelize."""
