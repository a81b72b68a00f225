"""`--engine ray` gives the local engine's output, record for record, on a local Ray."""

import os

import pyarrow.parquet as pq
import pytest

from framescope.cli import main
from framescope.inference.ray_engine import shard_name

from .test_batch_cli import corpus_with_corruption

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module")
def local_ray():
    os.environ.setdefault("RAY_ENABLE_UV_RUN_RUNTIME_ENV", "0")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    yield
    ray.shutdown()


def test_ray_engine_matches_local_engine_and_resumes(local_ray, tmp_path, tiny_model_dir):
    inputs = [corpus_with_corruption(tmp_path / f"part{i}.jsonl", 600, every=17) for i in range(3)]
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    out_dir = tmp_path / "ray-out"
    # bf16 makes the last digits depend on batch composition: equal output means equal batches
    common = ["--model", str(tiny_model_dir), "--precision", "bf16", "--no-progress"]
    args = ["predict", *map(str, inputs), str(empty), "-o", str(out_dir), "--engine", "ray",
            "--workers", "2", *common]
    assert main(args) == 0
    assert pq.read_table(out_dir / shard_name(empty)).num_rows == 0  # written, so skipped later
    for path in inputs:
        local = tmp_path / f"{path.stem}.parquet"
        assert main(["predict", str(path), "-o", str(local), *common]) == 0
        expected = pq.read_table(local).to_pylist()
        got = pq.read_table(out_dir / shard_name(path)).to_pylist()
        assert len(got) == 600
        assert got == expected
        assert sum(1 for r in got if r["error"]) == 600 // 17

    # a finished shard is skipped; a missing one is redone
    (out_dir / shard_name(inputs[1])).unlink()
    before = (out_dir / shard_name(inputs[0])).stat().st_mtime_ns
    assert main(args) == 0
    assert (out_dir / shard_name(inputs[0])).stat().st_mtime_ns == before
    assert pq.read_table(out_dir / shard_name(inputs[1])).num_rows == 600


def test_predict_dataset_composes_with_ray_data(local_ray, tiny_model_dir):
    from framescope.inference.ray_engine import predict_dataset

    ds = ray.data.from_items([{"id": "a", "text": "The junta seized power."},
                              {"id": "b", "text": ""}])
    rows = sorted(predict_dataset(ds, tiny_model_dir).take_all(), key=lambda r: r["id"])
    assert rows[0]["error"] is None and rows[0]["summary"]["coup"]["max_score"] >= 0
    assert rows[1]["error"].endswith("empty text")


def test_a_shard_whose_input_changed_is_scored_again(local_ray, tmp_path, tiny_model_dir):
    inputs = [corpus_with_corruption(tmp_path / f"in{i}.jsonl", 60) for i in range(2)]
    out_dir = tmp_path / "ray-out"
    args = ["predict", *map(str, inputs), "-o", str(out_dir), "--engine", "ray",
            "--model", str(tiny_model_dir), "--no-progress"]
    assert main(args) == 0
    first, second = (out_dir / shard_name(p) for p in inputs)
    untouched = first.stat().st_mtime_ns
    data = inputs[1].read_bytes()
    inputs[1].write_bytes(data.replace(b"Report 3.", b"Report 4.", 1))  # same size and path
    assert main(args) == 0
    assert first.stat().st_mtime_ns == untouched  # same input: skipped
    rows = pq.read_table(second).to_pylist()
    assert rows[3]["text"].startswith("Report 4. The junta")  # scored again from the new bytes


def test_shards_made_with_another_threshold_are_scored_again(local_ray, tmp_path, tiny_model_dir):
    inputs = [corpus_with_corruption(tmp_path / "in.jsonl", 30)]
    out_dir = tmp_path / "ray-out"
    args = ["predict", str(inputs[0]), "-o", str(out_dir), "--engine", "ray",
            "--model", str(tiny_model_dir), "--no-progress"]
    assert main(args) == 0
    shard = out_dir / shard_name(inputs[0])
    made = shard.stat().st_mtime_ns
    assert main(args) == 0 and shard.stat().st_mtime_ns == made  # same scoring: skipped
    assert main([*args, "--threshold", "0.01"]) == 0
    assert shard.stat().st_mtime_ns != made  # other scoring: made again, not mixed in
    made = shard.stat().st_mtime_ns
    assert main([*args, "--threshold", "0.01", "--batch-size", "3"]) == 0
    assert shard.stat().st_mtime_ns != made  # batches padded otherwise: made again too


def test_ray_engine_stops_early_on_what_it_cannot_score(local_ray, tmp_path, tiny_model_dir,
                                                        capsys):
    """As the local engine does, before any actor starts: standard input (which has no
    fingerprint to skip a shard by), a wrong --text-field, a threshold for an unknown label."""
    source = corpus_with_corruption(tmp_path / "in.jsonl", 30)
    args = ["-o", str(tmp_path / "out"), "--engine", "ray", "--model", str(tiny_model_dir)]
    assert main(["predict", "-", *args]) == 2
    assert "--engine ray scores files" in capsys.readouterr().err
    assert main(["predict", str(source), *args, "--text-field", "body"]) == 2
    assert "no field 'body'" in capsys.readouterr().err
    assert main(["predict", str(source), *args, "--threshold", "nolabel=0.5"]) == 2
    assert "nolabel" in capsys.readouterr().err
