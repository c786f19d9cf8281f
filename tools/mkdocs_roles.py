"""mkdocs hook: turn the Sphinx roles of docstrings into links of the API reference.

Docstrings say ``:class:`Client```, ``:meth:`Task.upload_data```, ``:func:`make_client```.
After the build, every such role in the pages is replaced by a link to the object's
entry in the reference (found by its full name, or by a unique ending of it such as
``Client.wait_for_request``), or by plain code when the object has no entry (for
example ``httpx.Client``). A role left over fails the build. Private module paths
(``cvat_client._lowlevel...``) in titles and base classes are replaced by the public
name the reference documents.
"""

from __future__ import annotations

import html
import json
import os
import re
from collections import defaultdict
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError

ROLES = "func|class|meth|mod|attr|data|exc|obj|const|py:[a-z]+"
_CODE_ROLE = re.compile(rf":(?:{ROLES}):<code>([^<]*)</code>")
_RAW_ROLE = re.compile(rf":(?:{ROLES}):`([^`]*)`")
_ANCHOR = re.compile(r'id="(cvat_client\.[A-Za-z0-9_.]+)"')
_LEFT = re.compile(rf":(?:{ROLES}):(?:<code>|`)")
_PRE = re.compile(r"<pre\b.*?</pre>", re.DOTALL)
_PRIVATE = re.compile(r"cvat_client(?:\.core)?\._[a-z_]+(?:\.[A-Za-z_]\w*)*")


def _index(site: Path) -> tuple[dict[str, str], dict[str, list[str]]]:
    exact: dict[str, str] = {}
    by_suffix: dict[str, list[str]] = defaultdict(list)
    for page in sorted(site.rglob("*.html")):
        url = page.relative_to(site).as_posix()
        for ident in _ANCHOR.findall(page.read_text(encoding="utf-8")):
            target = f"{url}#{ident}"
            exact.setdefault(ident, target)
            parts = ident.split(".")
            for i in range(1, len(parts)):
                by_suffix[".".join(parts[i:])].append(ident)
    return exact, by_suffix


def _resolve(name: str, exact: dict[str, str], by_suffix: dict[str, list[str]]) -> str | None:
    name = name.strip().lstrip("~").lstrip(".")
    name = name[:-2] if name.endswith("()") else name
    if name in exact:
        return exact[name]
    found = sorted(set(by_suffix.get(name, ())))
    if len(found) == 1:
        return exact[found[0]]
    # ``_lowlevel.x.Y`` written in a docstring and documented under a public path
    tail = name.rsplit(".", 1)[-1]
    found = sorted(set(by_suffix.get(tail, ()))) if "." in name else []
    return exact[found[0]] if len(found) == 1 else None


def _rewrite(
    text: str, page_url: str, exact: dict[str, str], by_suffix: dict[str, list[str]]
) -> str:
    base = os.path.dirname(page_url)

    def link(match: re.Match[str]) -> str:
        label = html.unescape(match.group(1))
        shown = html.escape(label.lstrip("~").lstrip("."))
        if label.startswith("~"):
            shown = html.escape(label[1:].rsplit(".", 1)[-1])
        target = _resolve(label, exact, by_suffix)
        if target is None:
            return f"<code>{shown}</code>"
        path, _, anchor = target.partition("#")
        href = os.path.relpath(path, base or ".") if path != page_url else ""
        return f'<a class="autorefs" href="{href}#{anchor}"><code>{shown}</code></a>'

    def public(match: re.Match[str]) -> str:
        # a private module path (``cvat_client._lowlevel.exceptions.ApiException``, in
        # titles and base classes) shown as the public name the reference documents
        path = match.group(0)
        tail = path.rsplit(".", 1)[-1]
        found = sorted(set(by_suffix.get(tail, ())), key=lambda ident: (len(ident), ident))
        return found[0] if found else tail

    text = _PRIVATE.sub(public, text)
    pieces = []
    last = 0
    for pre in _PRE.finditer(text):
        pieces.append(_CODE_ROLE.sub(link, text[last : pre.start()]))
        pieces.append(pre.group(0))
        last = pre.end()
    pieces.append(_CODE_ROLE.sub(link, text[last:]))
    return "".join(pieces)


def on_post_build(config: Any, **_: Any) -> None:
    site = Path(config["site_dir"])
    exact, by_suffix = _index(site)
    leftovers = []
    for page in sorted(site.rglob("*.html")):
        url = page.relative_to(site).as_posix()
        text = page.read_text(encoding="utf-8")
        new = _rewrite(text, url, exact, by_suffix)
        if new != text:
            page.write_text(new, encoding="utf-8")
        if _LEFT.search(_PRE.sub("", new)):
            leftovers.append(url)
    index = site / "search" / "search_index.json"
    if index.exists():
        data = json.loads(index.read_text(encoding="utf-8"))
        for doc in data.get("docs", []):
            for key in ("text", "title"):
                if isinstance(doc.get(key), str):
                    doc[key] = _CODE_ROLE.sub(r"<code>\1</code>", doc[key])
                    doc[key] = _RAW_ROLE.sub(r"\1", doc[key])
        index.write_text(json.dumps(data), encoding="utf-8")
    if leftovers:
        raise PluginError(f"Sphinx roles left in {', '.join(leftovers)}")
