"""The same pipeline on a Ray cluster, through Ray Data: ``cleaner clean --engine ray``.

Ray does the distributing; cleaner only says what a record becomes:

* the input JSONL files (local, or object-store URIs such as ``s3://bucket/day/``;
  ``.gz``/``.zst`` are decompressed by Arrow) are read as a Ray dataset of raw lines
  with their file and line number (a ``FileBasedDatasource``, Ray's extension point
  for file formats), so a broken line is reported exactly as the local engine
  reports it;
* ``map_batches`` runs a pool of actors (``ActorPoolStrategy`` through
  ``concurrency``); each holds a warm pipeline, built once from the rule files sent
  as text, and one LanguageTool client: on each node it reuses or starts that
  node's shared server, or uses ``languagetool_url`` from the config / the
  ``CLEANER_LANGUAGETOOL_URL`` environment variable for a shared one;
* a ``Datasink`` writes each write task's rows as two partition files:
  ``OUT/part-NNNNN-RUN.jsonl`` (the cleaned records, every input field kept) and
  ``OUT/findings/part-NNNNN-RUN.jsonl`` (one findings entry of the version-1
  contract per record, or an ``{"path", "message"}`` error).

Scheduling, queues, retries and data movement are Ray's. Output order is Ray's
too: sort by record id (or ``path``) to compare with a local run.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from cleaner.batch import OutputOptions, PipelineSpec, RunTotals, Worker
from cleaner.errors import CleanerError
from cleaner.model import Severity
from cleaner.sources import RawRecord

if TYPE_CHECKING:
    import pyarrow

try:
    import pyarrow as pa
    import pyarrow.fs as pafs
    import ray
    from ray.data.block import BlockAccessor
    from ray.data.datasource import Datasink
    from ray.data.datasource.file_based_datasource import FileBasedDatasource
except ImportError:  # the extra is not installed: the CLI says how to get it
    ray = None

RECORD_EXTENSIONS = ["jsonl", "jsonl.gz", "jsonl.zst", "ndjson", "ndjson.gz", "ndjson.zst"]
LINES_PER_BLOCK = 512


class RayUnavailable(CleanerError):
    """Ray is not installed, or the cluster cannot be reached."""


def _require_ray() -> None:
    if ray is None:
        raise RayUnavailable("--engine ray needs Ray Data: pip install 'cleaner[ray]' (or 'ray[data]')")


if ray is not None:

    class JsonLinesDatasource(FileBasedDatasource):  # type: ignore[misc]
        """Raw JSONL lines with their file and 0-based line number; parsing happens in the actors."""

        def _read_stream(self, f: pyarrow.NativeFile, path: str) -> Iterator[pyarrow.Table]:
            paths: list[str] = []
            indexes: list[int] = []
            data: list[bytes] = []
            index, rest = 0, b""
            first = True
            while True:
                chunk = f.read(1 << 22)
                if not chunk and not rest:
                    break
                lines = (rest + chunk).split(b"\n")
                rest = lines.pop() if chunk else b""
                for line in lines:
                    if first and line.startswith(b"\xef\xbb\xbf"):
                        line = line[3:]
                    first = False
                    if line.strip():
                        paths.append(path)
                        indexes.append(index)
                        data.append(line.rstrip(b"\r"))
                    index += 1
                    if len(data) >= LINES_PER_BLOCK:
                        yield _lines_table(paths, indexes, data)
                        paths, indexes, data = [], [], []
                if not chunk:
                    break
            if data:
                yield _lines_table(paths, indexes, data)

    class CleanerActor:
        """One warm pipeline per actor: rules compiled once, one LanguageTool client."""

        def __init__(self, spec: PipelineSpec, opts: OutputOptions, scheme: str) -> None:
            self.worker = Worker(spec, opts)
            self.scheme = scheme

        def __call__(self, batch: pyarrow.Table) -> pyarrow.Table:
            rows = batch.to_pydict()
            tasks = [RawRecord(self._label(p), i, d) for p, i, d in zip(rows["path"], rows["index"], rows["data"],
                                                                        strict=True)]
            outcomes = self.worker.run(tasks)
            return pa.table({
                "path": rows["path"], "index": rows["index"],
                "record": [o.record_line for o in outcomes],  # type: ignore[union-attr]
                "entry": [o.entry for o in outcomes],  # type: ignore[union-attr]
                "failed": [o.failure is not None for o in outcomes],  # type: ignore[union-attr]
                "severity": [json.dumps(dict(o.by_severity)) for o in outcomes],  # type: ignore[union-attr]
                "edits": [o.edits for o in outcomes],  # type: ignore[union-attr]
            })

        def _label(self, path: str) -> str:
            return f"{self.scheme}://{path}" if self.scheme else path

    class PartitionedJsonlDatasink(Datasink):  # type: ignore[misc]
        """Each write task writes its rows to a records part and a findings part; returns counts."""

        def __init__(self, out: str) -> None:
            self.out = out
            self.run_id = uuid.uuid4().hex[:12]
            self.totals: dict[str, Any] = {}

        def _fs(self) -> tuple[pafs.FileSystem, str]:
            if "://" in self.out:
                return pafs.FileSystem.from_uri(self.out)  # type: ignore[no-any-return]
            import os

            return pafs.LocalFileSystem(), os.path.abspath(self.out)

        def on_write_start(self, schema: Any = None) -> None:
            fs, base = self._fs()
            fs.create_dir(f"{base}/findings", recursive=True)

        def write(self, blocks: Iterable[Any], ctx: Any) -> dict[str, Any]:
            fs, base = self._fs()
            name = f"part-{ctx.task_idx:05d}-{self.run_id}.jsonl"
            counts: dict[str, Any] = {"records": 0, "failed": 0, "edits": 0, "severity": Counter()}
            with fs.open_output_stream(f"{base}/{name}") as records, \
                    fs.open_output_stream(f"{base}/findings/{name}") as findings:
                for block in blocks:
                    table = BlockAccessor.for_block(block).to_arrow().to_pydict()
                    for record, entry, failed, severity, edits in zip(
                            table["record"], table["entry"], table["failed"], table["severity"], table["edits"],
                            strict=True):
                        if record is not None:
                            records.write(record.encode("utf-8") + b"\n")
                        if entry is not None:
                            findings.write(entry.encode("utf-8") + b"\n")
                        counts["failed" if failed else "records"] += 1
                        counts["edits"] += edits
                        counts["severity"].update(json.loads(severity))
            return counts

        def on_write_complete(self, write_result: Any) -> None:
            total: dict[str, Any] = {"records": 0, "failed": 0, "edits": 0, "severity": Counter()}
            for counts in write_result.write_returns:
                for key in ("records", "failed", "edits"):
                    total[key] += counts[key]
                total["severity"].update(counts["severity"])
            self.totals = total


def _lines_table(paths: list[str], indexes: list[int], data: list[bytes]) -> pyarrow.Table:
    return pa.table({"path": pa.array(paths, pa.string()), "index": pa.array(indexes, pa.int64()),
                     "data": pa.array(data, pa.binary())})


def _scheme(paths: Sequence[str]) -> str:
    schemes = {urlparse(p).scheme for p in paths if "://" in p}
    if len(schemes) > 1:
        raise CleanerError(f"--engine ray reads one storage at a time (got {', '.join(sorted(schemes))} paths)")
    return schemes.pop() if schemes else ""


def run_ray(paths: Sequence[str], spec: PipelineSpec, opts: OutputOptions, out: str, *,
            address: str | None = None, actors: int | None = None, batch_size: int = 32,
            log: Callable[[str], None] | None = None) -> RunTotals:
    """Clean JSONL ``paths`` on Ray and write partitioned JSONL plus findings under ``out``.

    ``address``: an existing cluster (``ray://head:10001``, ``auto``); None starts or
    joins a local instance. ``actors``: pipeline actors (default: the cluster's CPUs,
    one CPU each). Reading and writing request no CPU, so a pool of actors that
    takes every CPU cannot starve them.
    """
    _require_ray()
    scheme = _scheme(paths)
    local_paths = [p for p in paths if "://" not in p]
    for p in local_paths:
        import os

        if not os.path.exists(p):
            raise CleanerError(f"{p}: does not exist")
    started = False
    if not ray.is_initialized():
        try:
            ray.init(address=address, include_dashboard=False, log_to_driver=False,
                     logging_level="WARNING", configure_logging=True)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            raise RayUnavailable(f"cannot reach the Ray cluster at {address or 'local'} ({exc})") from None
        started = True
    try:
        ctx = ray.data.DataContext.get_current()
        ctx.enable_progress_bars = log is not None
        ctx.print_on_execution_start = False
        cpus = int(ray.cluster_resources().get("CPU", 1))
        pool = max(1, actors or cpus)
        source = JsonLinesDatasource(list(paths), file_extensions=RECORD_EXTENSIONS)
        try:
            ds = ray.data.read_datasource(source, num_cpus=0)
        except TypeError:  # Ray before 2.5x takes it only through ray_remote_args
            ds = ray.data.read_datasource(source, ray_remote_args={"num_cpus": 0})
        opts = OutputOptions(records_out=True, cleaned=False, findings="jsonl", html="none",
                             has_title=opts.has_title, fields=opts.fields)
        cleaned = ds.map_batches(CleanerActor, fn_constructor_kwargs={"spec": spec, "opts": opts, "scheme": scheme},
                                 batch_size=batch_size, batch_format="pyarrow", concurrency=pool, num_cpus=1)
        sink = PartitionedJsonlDatasink(out)
        if log is not None:
            log(f"cleaning on Ray with {pool} actors ({cpus} CPUs in the cluster)")
        cleaned.write_datasink(sink, ray_remote_args={"num_cpus": 0})
    finally:
        if started:
            ray.shutdown()
    counts = sink.totals or {"records": 0, "failed": 0, "edits": 0, "severity": Counter()}
    totals = RunTotals(results=counts["records"], failures=counts["failed"], edits=counts["edits"])
    for severity, n in counts["severity"].items():
        if n:
            totals.findings += n
            totals.worst_rank = max(totals.worst_rank, Severity(severity).rank)
    sev = ", ".join(f"{n} {s}" for s, n in sorted(counts["severity"].items()) if n) or "no findings"
    bad = f" ({counts['failed']} unreadable)" if counts["failed"] else ""
    totals.summaries.append(f"ray: {counts['records']} records{bad}: {sev}; {counts['edits']} edits")
    totals.summaries.append(f"wrote {out}/part-*.jsonl and {out}/findings/part-*.jsonl")
    return totals
