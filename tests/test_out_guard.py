"""The guard in conftest.py notices a file written into a watched folder."""

from out_guard import changes, snapshot


def test_guard_sees_new_rewritten_and_removed_files(tmp_path):
    (tmp_path / "kept.txt").write_text("a")
    (tmp_path / "gone.txt").write_text("b")
    before = snapshot(tmp_path)
    assert changes(before, snapshot(tmp_path)) == []
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "new.png").write_bytes(b"x")
    (tmp_path / "kept.txt").write_text("a longer text")
    (tmp_path / "gone.txt").unlink()
    assert changes(before, snapshot(tmp_path)) == ["gone.txt", "kept.txt", "sub/new.png"]


def test_a_missing_folder_is_an_empty_snapshot(tmp_path):
    assert snapshot(tmp_path / "out") == {}
