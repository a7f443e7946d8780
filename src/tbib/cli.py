"""The `tbib` command: `tbib <group> <verb> [options]` runs management command `<group>_<verb>`.

tbib demo --port 8000       build a fresh demo network and serve it
tbib geo import             import the reference geography (idempotent)
tbib audit export --out F   export the audit trail
tbib manage <args>          any Django management command (migrate, check --deploy, ...)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from django.core.management import execute_from_command_line

_SINGLE = {"demo"}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tbib.settings.base")
    if not args or args[0] in {"-h", "--help", "help"}:
        sys.stdout.write(__doc__ or "")
        return
    if args[0] == "manage":
        execute_from_command_line(["tbib manage", *args[1:]])
        return
    if args[0] == "demo" and "DATABASE_URL" not in os.environ:
        # The demo always builds its own fresh database, apart from any other under var/.
        var_dir = Path(os.environ.get("TBIB_VAR_DIR", Path.cwd() / "var")).resolve()
        os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'demo.sqlite3'}"
    if args[0] in _SINGLE:
        execute_from_command_line(["tbib", args[0], *args[1:]])
        return
    if len(args) < 2 or args[1].startswith("-"):
        sys.stderr.write(f"tbib: '{args[0]}' needs a verb, e.g. 'tbib geo import'.\n")
        raise SystemExit(2)
    execute_from_command_line(["tbib", f"{args[0]}_{args[1]}", *args[2:]])


if __name__ == "__main__":
    main()
