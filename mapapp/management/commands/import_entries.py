"""Import a list from a file, through the same steps as the import pages: upload, map, a dry
run (here, not through the job queue), then apply once confirmed."""

import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from mapapp.imports.mapping import TARGETS
from mapapp.imports.plan import planned_lines
from mapapp.imports.roundtrip import source_export
from mapapp.models import ImportRun, ImportSource
from mapapp.services import imports

# Rejected rows listed in the summary; the rest are counted.
SHOWN_REJECTS = 20


class Command(BaseCommand):
    help = (
        "Import entries from FILE as a run of the source --source (created with --licence if "
        "new). Prints the dry run's report and applies it with --yes or when you confirm. "
        "With --export, writes the source's entries in its own layout to FILE instead."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The list to import (or, with --export, to write).")
        parser.add_argument("--source", required=True, help="The source's name.")
        parser.add_argument("--licence", default="", help="The list's licence (new sources).")
        parser.add_argument("--id-column", default=None, help="The column of the rows' ids.")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help=f"Map a column to one of: {', '.join(TARGETS)}. Repeat for each column.",
        )
        parser.add_argument("--category", default=None, help="A category for every row.")
        parser.add_argument("--encoding", default=None, help="utf-8, windows-1252 or latin-1.")
        parser.add_argument(
            "--sheet", default="", help="The workbook's sheet to import (else its first)."
        )
        parser.add_argument("--publish", action="store_true", help="Publish (moderators).")
        parser.add_argument("--yes", action="store_true", help="Apply without asking.")
        parser.add_argument("--user", help="The importing account's username.")
        parser.add_argument(
            "--export", action="store_true", help="Write the source's entries to FILE."
        )

    def handle(self, *args, **options):
        source = ImportSource.objects.filter(name=options["source"]).first()
        if options["export"]:
            return self._export(source, options)
        user = _user(options["user"])
        try:
            run = self._plan(user, source, options)
            self._summarise(run)
            if not (options["yes"] or self._confirmed()):
                imports.import_abandon(run=run, user=user)
                self.stdout.write("Not applied: the run was abandoned and its file deleted.")
                return
            run = imports.import_confirm(
                run=run, user=user, inline=True, on_progress=self._progress("Importing")
            )
        except (ValidationError, PermissionDenied) as error:
            raise CommandError(_said(error)) from None
        if run.status != ImportRun.Status.APPLIED:
            raise CommandError(f"Not applied: {run.error}")
        applied = ", ".join(f"{n} {action}" for action, n in run.report["applied"].items())
        self.stdout.write(self.style.SUCCESS(f"Applied: {applied or 'nothing to change'}."))

    def _plan(self, user, source, options):
        path = Path(options["file"])
        try:
            stream = path.open("rb")
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        with stream:
            run = imports.import_upload(
                user=user,
                upload=stream,
                filename=path.name,
                source=source,
                source_name=options["source"],
                licence=options["licence"],
                encoding=options["encoding"],
                sheet=options["sheet"],
            )
        mapping = _mapping(options["map"]) or run.mapping
        id_column = run.id_column if options["id_column"] is None else options["id_column"]
        run = imports.import_map(
            run=run,
            user=user,
            mapping=mapping,
            id_column=id_column,
            category=options["category"] or run.category,
            publish=options["publish"],
            inline=True,
            on_progress=self._progress("Checking"),
        )
        if run.status != ImportRun.Status.PLANNED:
            raise CommandError(f"The dry run failed: {run.error}")
        return run

    def _progress(self, doing):
        started = time.monotonic()

        def tell(done, total):
            rate = done / max(time.monotonic() - started, 1e-6)
            end = "\n" if done >= total else ""
            self.stderr.write(f"\r{doing}: {done}/{total} rows, {rate:.0f} rows/s", ending=end)
            self.stderr.flush()

        return tell

    def _summarise(self, run):
        report = run.report
        counts = ", ".join(f"{n} {action}" for action, n in report["counts"].items() if n)
        self.stdout.write(f"Dry run of {report['total']} rows: {counts or 'nothing'}.")
        if run.preview.get("sheets"):
            sheets = ", ".join(run.preview["sheets"])
            self.stdout.write(f"Read the sheet {run.sheet!r} of {sheets} (choose with --sheet).")
        if report["flagged"]:
            self.stdout.write(f"{report['flagged']} rows flagged (placed by town name etc.).")
        refused = ("reject", "conflict")
        shown = 0
        for line in planned_lines(run, actions=refused):
            if shown == SHOWN_REJECTS:
                break
            where = f"Row {line['row']}" if line["row"] else f"Record {line['id']}"
            problems = "; ".join(
                f"{target}: {' '.join(messages)}"
                for target, messages in line.get("problems", {}).items()
            )
            self.stdout.write(f"  {where} ({line['action']}): {problems}")
            shown += 1
        more = sum(report["counts"].get(action, 0) for action in refused) - shown
        if more > 0:
            self.stdout.write(f"  … and {more} more.")

    def _confirmed(self):
        try:
            answer = input("Apply this import? [y/N] ")
        except EOFError:
            return False
        return answer.strip().lower() in {"y", "yes"}

    def _export(self, source, options):
        if source is None:
            raise CommandError(f"No source named {options['source']!r}.")
        with open(options["file"], "wb") as out:
            for chunk in source_export(source):
                out.write(chunk)
        self.stdout.write(f"Wrote {source.name}'s entries to {options['file']}.")


def _user(username):
    if not username:
        raise CommandError("Give the importing account with --user USERNAME.")
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No account {username!r}.")
    return user


def _mapping(pairs):
    mapping = {}
    for pair in pairs:
        column, equals, target = pair.rpartition("=")
        if not equals or not column:
            raise CommandError(f"--map {pair!r}: give it as COLUMN=FIELD.")
        mapping[column] = target
    return mapping


def _said(error):
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return " ".join(f"{k}: {' '.join(v)}" for k, v in error.message_dict.items())
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error)
