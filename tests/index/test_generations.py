"""Index generations: the pointer names the live index; promoting switches it atomically and tidies old ones."""

from __future__ import annotations

from index import generations


def test_without_a_pointer_the_folder_itself_is_the_index(tmp_path):
    assert generations.live(tmp_path) == tmp_path
    (tmp_path / "CURRENT").write_text("../elsewhere", encoding="utf-8")  # never outside the folder
    assert generations.live(tmp_path) == tmp_path


def test_promoting_switches_the_pointer_and_keeps_only_the_previous_generation(tmp_path):
    (tmp_path / "catalog.sqlite3").write_text("legacy", encoding="utf-8")
    first = generations.staging(tmp_path)
    (first / "catalog.sqlite3").write_text("one", encoding="utf-8")
    one = generations.promote(tmp_path, first)
    assert one.name == "gen-1" and generations.live(tmp_path) == one
    assert (tmp_path / "catalog.sqlite3").exists()  # the previous index stays until the next rebuild

    killed = generations.staging(tmp_path)  # a rebuild that never finished
    (killed / "half").write_text("", encoding="utf-8")
    second = generations.staging(tmp_path)
    assert not killed.exists() and second.exists()
    two = generations.promote(tmp_path, second)
    assert generations.live(tmp_path) == two and two.name == "gen-2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CURRENT", "gen-1", "gen-2"]

    three = generations.promote(tmp_path, generations.staging(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["CURRENT", "gen-2", "gen-3"] and three.name == "gen-3"
