"""Jupyter rendering: highlighted IR text and functions drawn as SVG dataflow graphs."""

from __future__ import annotations

import html
import re

from ir.core import Operation

_TOKEN = re.compile(
    r'(?P<str>"(?:[^"\\]|\\.)*")|(?P<val>%[\w#.$-]+)|(?P<blk>\^bb\d+)|(?P<type>\b(?:tensor|memref|vector)<[^>]*>'
    r"|\b(?:f16|bf16|f32|f64|index|i\d+)\b)|(?P<loc>loc\([^)]*\))|(?P<num>\b\d+(?:\.\d+)?(?:e[-+]?\d+)?\b)"
)
_COLORS = {
    "str": "#a31515",
    "val": "#001080",
    "blk": "#795e26",
    "type": "#267f99",
    "loc": "#888",
    "num": "#098658",
}
MAX_HTML_CHARS = 200_000


def highlight(text: str) -> str:
    """IR text as HTML with the op names, values, types and locations colored."""
    out, pos = [], 0
    for m in _TOKEN.finditer(text):
        out.append(html.escape(text[pos : m.start()]))
        kind = m.lastgroup
        out.append(f'<span style="color:{_COLORS[kind]}">{html.escape(m.group(0))}</span>')
        pos = m.end()
    out.append(html.escape(text[pos:]))
    return "".join(out)


def op_html(op: Operation) -> str:
    from ir.printer import PrintOptions, print_op

    text = print_op(op, PrintOptions(elide_constants=True))
    if len(text) > MAX_HTML_CHARS:
        text = text[:MAX_HTML_CHARS] + "\n... (truncated)\n"
    body = highlight(text)
    return f'<pre style="font-size:12px;line-height:1.3">{body}</pre>'


def function_svg(func: Operation, max_nodes: int = 400, hide_constants: bool = True) -> str:
    """An SVG drawing of a function's dataflow: one box per op, layered by topological generation."""
    import networkx as nx

    block = func.regions[0].block
    g = nx.DiGraph()
    ops = [o for o in block.ops if not (hide_constants and o.name.endswith(".constant"))]
    ops = ops[:max_nodes]
    keep = set(ops)
    for o in ops:
        g.add_node(o)
        for v in o.operands:
            d = v.defining_op
            if d is not None and d in keep:
                g.add_edge(d, o)
    layers = list(nx.topological_generations(g))
    box_w, box_h, gap_x, gap_y = 150, 26, 20, 34
    width = max((len(layer) for layer in layers), default=1) * (box_w + gap_x) + gap_x
    height = len(layers) * (box_h + gap_y) + gap_y
    pos = {}
    for y, layer in enumerate(layers):
        x0 = (width - len(layer) * (box_w + gap_x) + gap_x) / 2
        for x, node in enumerate(layer):
            pos[node] = (x0 + x * (box_w + gap_x), gap_y + y * (box_h + gap_y))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-size="11">']
    for a, b in g.edges:
        (x1, y1), (x2, y2) = pos[a], pos[b]
        parts.append(
            f'<line x1="{x1 + box_w / 2}" y1="{y1 + box_h}" x2="{x2 + box_w / 2}" y2="{y2}" stroke="#999"/>'
        )
    for node, (x, y) in pos.items():
        label = node.name.split(".", 1)[-1]
        title = html.escape(", ".join(node.provenance) or node.name)
        fill = "#dbeafe" if node.regions else "#f3f4f6"
        parts.append(
            f'<g><title>{title}</title><rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="4" '
            f'fill="{fill}" stroke="#555"/><text x="{x + box_w / 2}" y="{y + 17}" text-anchor="middle">'
            f"{html.escape(label)}</text></g>"
        )
    parts.append("</svg>")
    return "".join(parts)


class FunctionView:
    """Wraps a function so a notebook cell shows its graph (`FunctionView(module.main)`)."""

    def __init__(self, func: Operation, **kwargs):
        self.func, self.kwargs = func, kwargs

    def _repr_svg_(self) -> str:
        return function_svg(self.func, **self.kwargs)


def op_counts(op: Operation) -> dict[str, int]:
    """How many of each op name `op` contains (itself excluded)."""
    counts: dict[str, int] = {}
    for o in op.walk():
        if o is not op:
            counts[o.name] = counts.get(o.name, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))
