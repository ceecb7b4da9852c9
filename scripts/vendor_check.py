#!/usr/bin/env python3
"""Verify the vendored front-end assets against static/vendor/vendor.lock.json.

Stdlib only (Python 3.11+). See docs/vendor.md.

Default mode (check):
  * every file listed in the lock exists and its sha256 matches;
  * every listed file lives under its package folder ``<name>-<version>/``;
  * every package ships a LICENSE file;
  * no file under static/vendor is left out of the lock
    (vendor.lock.json itself excepted).
  Exits 0 when all is well, 1 listing each problem otherwise, 2 when the lock
  cannot be read.

``--update`` mode (used when upgrading a package):
  Rewrites the ``files`` map of every package in the lock from what is on
  disk under ``<name>-<version>/``, keeping name, version, licence, source and
  tarball_sha512 as they are in the lock (edit those by hand first). Then run
  the script again without ``--update`` and review ``git diff``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

LOCK_NAME = "vendor.lock.json"
DEFAULT_VENDOR_DIR = (
    Path(__file__).resolve().parent.parent / "src" / "tradewind" / "static" / "vendor"
)
REQUIRED_KEYS = ("name", "version", "licence", "source", "tarball_sha512", "files")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def files_on_disk(root: Path) -> list[str]:
    """All regular files under root, as sorted POSIX paths relative to root."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in filenames:
            rel = (Path(dirpath) / name).relative_to(root)
            found.append(rel.as_posix())
    return sorted(found)


def load_lock(lock_path: Path) -> dict[str, Any]:
    with lock_path.open(encoding="utf-8") as fh:
        lock = json.load(fh)
    if not isinstance(lock, dict) or not isinstance(lock.get("packages"), list):
        raise ValueError('lock must be an object with a "packages" list')
    return lock


def dump_lock(lock: dict[str, Any], lock_path: Path) -> None:
    text = json.dumps(lock, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    lock_path.write_text(text, encoding="utf-8")


def check(vendor_dir: Path, lock: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    covered: set[str] = set()
    seen_names: set[str] = set()

    for index, pkg in enumerate(lock["packages"]):
        if not isinstance(pkg, dict):
            problems.append(f"packages[{index}]: not an object")
            continue
        missing_keys = [k for k in REQUIRED_KEYS if k not in pkg]
        if missing_keys:
            problems.append(f"packages[{index}]: missing keys {', '.join(missing_keys)}")
            continue
        name, version = pkg["name"], pkg["version"]
        label = f"{name}@{version}"
        if name in seen_names:
            problems.append(f"{label}: package listed more than once")
        seen_names.add(name)
        prefix = f"{name}-{version}/"
        files = pkg["files"]
        if not isinstance(files, dict) or not files:
            problems.append(f"{label}: no files listed")
            continue
        if f"{prefix}LICENSE" not in files:
            problems.append(f"{label}: no {prefix}LICENSE listed")
        for rel, expected in sorted(files.items()):
            covered.add(rel)
            if not rel.startswith(prefix):
                problems.append(f"{label}: {rel} is outside {prefix}")
            path = vendor_dir / rel
            if not path.is_file():
                problems.append(f"MISSING  {rel}")
                continue
            actual = sha256_of(path)
            if actual != expected:
                problems.append(f"MISMATCH {rel}: lock {expected}, disk {actual}")

    for rel in files_on_disk(vendor_dir):
        if rel == LOCK_NAME or rel in covered:
            continue
        problems.append(f"UNLISTED {rel}")
    return problems


def update(vendor_dir: Path, lock: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for pkg in lock["packages"]:
        folder = vendor_dir / f"{pkg['name']}-{pkg['version']}"
        if not folder.is_dir():
            problems.append(f"{pkg['name']}@{pkg['version']}: no folder {folder.name}/")
            continue
        pkg["files"] = {
            f"{folder.name}/{rel}": sha256_of(folder / rel) for rel in files_on_disk(folder)
        }
    lock["packages"].sort(key=lambda p: p["name"])
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--vendor-dir",
        type=Path,
        default=DEFAULT_VENDOR_DIR,
        help="static/vendor folder (default: %(default)s)",
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="rewrite each package's file hashes in the lock from disk",
    )
    args = parser.parse_args(argv)
    vendor_dir: Path = args.vendor_dir
    lock_path = vendor_dir / LOCK_NAME

    try:
        lock = load_lock(lock_path)
    except (OSError, ValueError) as exc:
        print(f"vendor_check: cannot read {lock_path}: {exc}", file=sys.stderr)
        return 2

    if args.update:
        problems = update(vendor_dir, lock)
        if problems:
            print("vendor_check: lock NOT updated:", file=sys.stderr)
            for line in problems:
                print(f"  {line}", file=sys.stderr)
            return 1
        dump_lock(lock, lock_path)
        print(f"vendor_check: rewrote {lock_path}")
        return 0

    problems = check(vendor_dir, lock)
    if problems:
        print(f"vendor_check: FAILED ({len(problems)} problem(s))", file=sys.stderr)
        for line in problems:
            print(f"  {line}", file=sys.stderr)
        return 1
    n_files = sum(len(p["files"]) for p in lock["packages"])
    n_bytes = sum((vendor_dir / f).stat().st_size for p in lock["packages"] for f in p["files"])
    print(f"vendor_check: OK ({len(lock['packages'])} packages, {n_files} files, {n_bytes} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
