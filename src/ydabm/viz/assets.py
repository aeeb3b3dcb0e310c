"""Solara's front-end assets, kept in its local CDN cache so the app renders offline.

A Solara page loads its JavaScript, CSS and fonts from ``/_solara/cdn/<package>@<version>/<file>``.
The Solara server answers those URLs from a cache folder and, on a miss, downloads the file from
cdn.jsdelivr.net; without internet access that download fails and the page stays white. This module
fills the cache ahead of time with the npm packages the page requests: each is fetched with
``npm pack`` from the npm registry and unpacked to ``<cache>/<package>@<version>/``, the layout
jsDelivr serves and the server reads.

Fill the cache with ``python -m ydabm.viz.assets`` (or ``scripts/fetch_solara_assets.sh``).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class NpmAsset:
    """An npm package that a Solara page requests through the server's CDN proxy.

    Attributes:
        spec: Package name and version exactly as they appear in the requested URL. A range such as
            ``vega@5`` names the cache folder literally and holds the newest matching release,
            which is what jsDelivr would serve for it.
        files: Files the page requests, relative to the package root. The package counts as cached
            when all of them exist.
        requested_by: Where in Solara 1.64.1 the URL is built; check these when bumping Solara.
    """

    spec: str
    files: tuple[str, ...]
    requested_by: str

    @property
    def name(self) -> str:
        """The npm package name, without the version (``@scope/name`` for scoped packages)."""
        return self.spec.rpartition("@")[0]


SOLARA_ASSETS: tuple[NpmAsset, ...] = (
    NpmAsset(
        "@widgetti/solara-vuetify-app@10.1.1",
        (
            "dist/main8.css",
            "dist/fonts.css",
            "dist/solara-vuetify-app8.min.js",
            "dist/solara-vuetify-app8.js",
        ),
        "server/templates/solara.html.j2 (Vue 2 page; the 8 is the ipywidgets major version, "
        ".min.js in --production)",
    ),
    NpmAsset("requirejs@2.3.6", ("require.js",), "server/templates/solara.html.j2"),
    NpmAsset(
        "font-awesome@4.5.0",
        ("css/font-awesome.min.css", "fonts/fontawesome-webfont.woff2"),
        "server/templates/solara.html.j2 via server/settings.py assets.fontawesome_path",
    ),
    NpmAsset(
        "@widgetti/vue-grid-layout@2.3.13-alpha.2",
        ("dist/vue-grid-layout.umd.js",),
        "widgets/vue/gridlayout.vue (solara.GridDraggable, which lays out Mesa's SolaraViz pages)",
    ),
    NpmAsset("vega@5", ("build/vega.min.js",), "widgets/vue/vegalite.vue (solara.FigureAltair)"),
    NpmAsset("vega-lite@5", ("build/vega-lite.min.js",), "widgets/vue/vegalite.vue"),
    NpmAsset("vega-embed@6", ("build/vega-embed.min.js",), "widgets/vue/vegalite.vue"),
    NpmAsset(
        "katex@0.16.9",
        ("dist/katex.min.js", "dist/katex.min.css", "dist/contrib/auto-render.min.js"),
        "components/markdown.py (every mounted solara.Markdown)",
    ),
    NpmAsset("mermaid@10.8.0", ("dist/mermaid.min.js",), "components/markdown.py"),
)


def solara_cdn_dir() -> Path:
    """Return the folder Solara's CDN proxy serves from.

    This is Solara's own setting, ``<sys.prefix>/share/solara/cdn`` unless the environment variable
    ``SOLARA_ASSETS_PROXY_CACHE_DIR`` (or a ``.env`` file) names another folder.
    """
    # Imported here: importing Solara's server settings takes about 2 s and creates ~/.solara.
    import solara.server.settings

    return Path(solara.server.settings.assets.proxy_cache_dir)


def missing_solara_assets(cache_dir: Path | None = None) -> list[str]:
    """List the requested files absent from the cache, as ``<package>@<version>/<file>`` paths.

    Args:
        cache_dir: The cache folder; defaults to `solara_cdn_dir()`.
    """
    cache = solara_cdn_dir() if cache_dir is None else cache_dir
    return [
        f"{asset.spec}/{file}"
        for asset in SOLARA_ASSETS
        for file in asset.files
        if not (cache / asset.spec / file).is_file()
    ]


def ensure_solara_assets(verbose: bool = True, cache_dir: Path | None = None) -> bool:
    """Fill Solara's CDN cache with every package in `SOLARA_ASSETS` that is not complete there.

    Args:
        verbose: Print the cache folder and what was fetched.
        cache_dir: The cache folder; defaults to `solara_cdn_dir()`.

    Returns:
        True if anything was fetched, False if the cache was already complete.

    Raises:
        RuntimeError: npm is missing, ``npm pack`` failed, or a package lacks a requested file.
    """
    cache = solara_cdn_dir() if cache_dir is None else cache_dir
    incomplete = [
        asset for asset in SOLARA_ASSETS if any(not (cache / asset.spec / f).is_file() for f in asset.files)
    ]
    if verbose:
        print(f"Solara CDN cache: {cache}")
    if not incomplete:
        if verbose:
            print(f"All {len(SOLARA_ASSETS)} packages already cached.")
        return False
    with tempfile.TemporaryDirectory(prefix="solara-assets-") as tmp:
        packed = _npm_pack([asset.spec for asset in incomplete], Path(tmp))
        for asset in incomplete:
            record = packed[asset.name]
            _unpack(Path(tmp) / record["filename"], cache / asset.spec)
            if verbose:
                print(f"  fetched {asset.spec:42} -> {record['id']} ({record['entryCount']} files)")
    still_missing = missing_solara_assets(cache)
    if still_missing:
        raise RuntimeError(f"npm packages lack files the Solara page requests: {still_missing}")
    return True


def _npm_pack(specs: list[str], destination: Path) -> dict[str, dict]:
    """Download the tarballs of ``specs`` into ``destination``; return npm's record per package name."""
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm not found: install Node.js and npm (e.g. `apt-get install -y npm`).")
    command = [npm, "pack", "--json", "--ignore-scripts", "--pack-destination", str(destination), *specs]
    result = subprocess.run(command, cwd=destination, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"`npm pack` failed ({result.returncode}):\n{result.stderr}")
    return {record["name"]: record for record in json.loads(result.stdout)}


def _unpack(tarball: Path, target: Path) -> None:
    """Unpack an npm tarball (files under ``package/``) into ``target``, merging with what is there."""
    with tempfile.TemporaryDirectory(prefix="unpack-") as staging, tarfile.open(tarball) as archive:
        archive.extractall(staging, filter="data")
        (root,) = Path(staging).iterdir()
        shutil.copytree(root, target, dirs_exist_ok=True)


def main() -> int:
    """Fill the cache and print its folder (the command ``python -m ydabm.viz.assets``)."""
    ensure_solara_assets(verbose=True)
    print(solara_cdn_dir())
    return 0


if __name__ == "__main__":
    sys.exit(main())
