"""Preferences: defaults, typed INI round trips, core objects, and the dialog."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
)

from lmns_desktop.core import vocab
from lmns_desktop.gui import preferences as prefs_mod
from lmns_desktop.gui.preferences import (
    CI_LEVELS,
    DEFAULTS,
    Preferences,
    load_preferences,
    save_preferences,
)
from lmns_desktop.gui.widgets.preferences_dialog import PreferencesDialog, edit_preferences

CUSTOM = Preferences(
    data_folder=Path("/srv/lmns data"),
    backups_kept=25,
    suppression_lower=1,
    suppression_upper=5,
    rounding_base=10,
    small_number_threshold=20,
    imd_reference="most",
    ethnic_category_reference="N",
    ethnic_group_reference="Black or Black British",
    ci_level=99.8,
    continuity_target=62.5,
    extra_plus_groups=("Armed forces families", "Travellers, boaters and showpeople", "Café ✓"),
    extra_trusts=("Hillside NHS Trust",),
    theme="dark",
    show_welcome_page=False,
)


def _ini(tmp_path: Path, name: str = "settings.ini") -> QSettings:
    return QSettings(str(tmp_path / name), QSettings.Format.IniFormat)


def test_defaults_are_the_ones_the_issue_asks_for() -> None:
    d = Preferences()
    assert (d.data_folder, d.backups_kept) == (None, 10)
    assert (d.suppression_lower, d.suppression_upper, d.rounding_base) == (1, 7, 5)
    assert d.small_number_threshold == 10
    assert (d.imd_reference, d.ethnic_category_reference, d.ethnic_group_reference) == (
        "least", "A", "White")
    assert d.ci_level == 95.0 and CI_LEVELS == (90.0, 95.0, 99.0, 99.8)
    assert d.continuity_target == 75.0
    assert (d.extra_plus_groups, d.extra_trusts, d.theme) == ((), (), "system")
    assert d.is_valid() and CUSTOM.is_valid()


def test_an_empty_settings_file_gives_the_defaults(tmp_path: Path) -> None:
    assert load_preferences(_ini(tmp_path)) == DEFAULTS


def test_preferences_round_trip_through_an_ini_file(tmp_path: Path) -> None:
    save_preferences(_ini(tmp_path), CUSTOM)
    text = (tmp_path / "settings.ini").read_text(encoding="utf-8")
    assert "[preferences]" in text
    assert load_preferences(_ini(tmp_path)) == CUSTOM  # a fresh QSettings reads the file


def test_restoring_defaults_round_trips_too(tmp_path: Path) -> None:
    save_preferences(_ini(tmp_path), CUSTOM)
    save_preferences(_ini(tmp_path), DEFAULTS)
    assert load_preferences(_ini(tmp_path)) == DEFAULTS


def test_false_in_the_ini_file_never_becomes_true(tmp_path: Path) -> None:
    (tmp_path / "settings.ini").write_text(
        "[preferences]\nshow_welcome_page=false\nbackups_kept=12\nci_level=99\n", encoding="utf-8")
    prefs = load_preferences(_ini(tmp_path))
    assert prefs.show_welcome_page is False
    assert prefs.backups_kept == 12 and prefs.ci_level == 99.0


@pytest.mark.parametrize(("line", "field"), [
    ("backups_kept=lots", "backups_kept"),
    ("backups_kept=0", "backups_kept"),
    ("backups_kept=true", "backups_kept"),
    ("backups_kept=2.5", "backups_kept"),
    ("ci_level=97", "ci_level"),
    ("theme=purple", "theme"),
    ("show_welcome_page=perhaps", "show_welcome_page"),
    ("imd_reference=middle", "imd_reference"),
    ("ethnic_category_reference=Z", "ethnic_category_reference"),
    ("extra_trusts=not json", "extra_trusts"),
    ("extra_trusts={\"a\": 1}", "extra_trusts"),
    ("continuity_target=120", "continuity_target"),
    ("data_folder=relative/folder", "data_folder"),
])
def test_an_unreadable_value_falls_back_to_its_default_and_warns(tmp_path: Path, caplog,
                                                                 line: str, field: str) -> None:
    (tmp_path / "settings.ini").write_text(f"[preferences]\n{line}\nrounding_base=10\n",
                                           encoding="utf-8")
    prefs = load_preferences(_ini(tmp_path))
    assert getattr(prefs, field) == getattr(DEFAULTS, field)
    assert prefs.rounding_base == 10  # the good values next to it are kept
    assert any(field in r.getMessage() for r in caplog.records if r.levelname == "WARNING")


def test_thresholds_the_wrong_way_round_fall_back_together(tmp_path: Path) -> None:
    (tmp_path / "settings.ini").write_text(
        "[preferences]\nsuppression_lower=9\nsuppression_upper=3\n", encoding="utf-8")
    prefs = load_preferences(_ini(tmp_path))
    assert (prefs.suppression_lower, prefs.suppression_upper) == (1, 7)


def test_saving_invalid_preferences_is_refused(tmp_path: Path) -> None:
    bad = dataclasses.replace(DEFAULTS, suppression_lower=8, suppression_upper=7)
    with pytest.raises(ValueError, match="largest suppressed count"):
        save_preferences(_ini(tmp_path), bad)
    assert not (tmp_path / "settings.ini").exists()


def test_lists_are_trimmed_and_deduplicated_ignoring_case() -> None:
    assert prefs_mod.clean_list([" Boaters ", "", "boaters", "Café"]) == ("Boaters", "Café")
    extra = dataclasses.replace(DEFAULTS, extra_plus_groups=("Sex workers", "Armed forces"))
    assert extra.plus_groups() == (*vocab.PLUS_GROUPS, "Armed forces")


@pytest.mark.parametrize("level", CI_LEVELS)
def test_profile_options_carry_the_preferences(level: float) -> None:
    prefs = dataclasses.replace(CUSTOM, ci_level=level)
    options = prefs.to_profile_options()
    assert options.confidence == pytest.approx(level / 100)
    assert options.small_number_threshold == 20
    assert options.continuity_target_percent == 62.5
    assert options.reference_for("imd_quintile") == 1
    assert options.reference_for("imd_decile") == 1
    assert options.reference_for("ethnic_category") == "N"
    assert options.reference_for("ethnic_group") == "Black or Black British"


def test_default_profile_options_match_the_core_defaults() -> None:
    options = DEFAULTS.to_profile_options(sii_reps=1000)
    from lmns_desktop.core.profiling.model import ProfileOptions

    core = ProfileOptions()
    assert options.sii_reps == 1000
    for dim in ("imd_decile", "imd_quintile", "core20", "ethnic_category", "ethnic_group"):
        assert options.reference_for(dim) == core.reference_for(dim), dim
    assert options.confidence == core.confidence
    assert options.continuity_target_percent == core.continuity_target_percent


def test_the_suppression_rule_carries_the_preferences() -> None:
    rule = CUSTOM.to_suppression_rule()
    assert (rule.lower, rule.upper, rule.base) == (1, 5, 10)
    assert "1 to 5" in rule.note and "nearest 10" in rule.note
    assert DEFAULTS.to_suppression_rule() == type(rule)()


# --- the dialog -------------------------------------------------------------------------------

@pytest.fixture
def dialog(qtbot, tmp_path: Path) -> PreferencesDialog:
    d = PreferencesDialog(CUSTOM, default_data_folder=tmp_path / "default")
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def test_the_dialog_shows_and_returns_the_preferences(dialog: PreferencesDialog, tmp_path) -> None:
    dialog.data_folder_edit.clear()  # /srv/lmns data does not exist here
    assert dialog.preferences() == dataclasses.replace(CUSTOM, data_folder=None)
    assert dialog.ok_button.isEnabled()


def test_editing_with_the_keyboard_changes_the_result(dialog: PreferencesDialog, qtbot,
                                                      tmp_path: Path) -> None:
    dialog.data_folder_edit.clear()
    qtbot.keyClicks(dialog.data_folder_edit, str(tmp_path))
    dialog.backups_spin.selectAll()
    qtbot.keyClicks(dialog.backups_spin, "3")
    dialog.plus_edit.clear()
    qtbot.keyClicks(dialog.plus_edit, "Boaters")
    result = dialog.preferences()
    assert result.data_folder == tmp_path
    assert result.backups_kept == 3
    assert result.extra_plus_groups == ("Boaters",)
    assert dialog.ok_button.isEnabled()


def test_a_folder_that_does_not_exist_stops_ok_with_a_sentence(dialog: PreferencesDialog,
                                                              tmp_path: Path) -> None:
    dialog.data_folder_edit.setText(str(tmp_path / "nowhere"))
    assert not dialog.ok_button.isEnabled()
    assert "does not exist" in dialog.problem_label.text()
    dialog.data_folder_edit.setText(str(tmp_path))
    assert dialog.ok_button.isEnabled() and not dialog.problem_label.isVisible()


def test_thresholds_the_wrong_way_round_stop_ok(dialog: PreferencesDialog) -> None:
    dialog.data_folder_edit.clear()
    dialog.lower_spin.setValue(9)
    assert not dialog.ok_button.isEnabled()
    assert "largest suppressed count" in dialog.problem_label.text()
    assert "must not be below" in dialog.example.text()  # the example says why too


def test_the_example_shows_the_rule_as_it_is_set(dialog: PreferencesDialog) -> None:
    dialog.upper_spin.setValue(10)
    dialog.base_spin.setValue(5)
    assert "8 → *" in dialog.example.text()
    assert "12 → 10" in dialog.example.text()
    assert "0 → 0" in dialog.example.text()


def test_restore_defaults_puts_back_the_shipped_values(dialog: PreferencesDialog, qtbot) -> None:
    qtbot.mouseClick(dialog.restore_button, Qt.MouseButton.LeftButton)
    assert dialog.preferences() == DEFAULTS
    assert dialog.ok_button.isEnabled()


def test_dialog_to_ini_and_back(dialog: PreferencesDialog, qtbot, tmp_path: Path) -> None:
    dialog.data_folder_edit.setText(str(tmp_path))
    dialog.ci_combo.setCurrentIndex(dialog.ci_combo.findData(90.0))
    chosen = dialog.preferences()
    save_preferences(_ini(tmp_path), chosen)
    again = PreferencesDialog(load_preferences(_ini(tmp_path)))
    qtbot.addWidget(again)
    assert again.preferences() == chosen
    assert again.ci_combo.currentText() == "90%"


def test_the_choose_button_fills_in_the_folder(dialog: PreferencesDialog, qtbot,
                                               tmp_path: Path) -> None:
    dialog.folder_chooser = lambda parent, title, start: str(tmp_path)
    qtbot.mouseClick(dialog.choose_folder_button, Qt.MouseButton.LeftButton)
    assert dialog.data_folder_edit.text() == str(tmp_path)


def test_number_boxes_keep_their_text_off_the_border(dialog: PreferencesDialog) -> None:
    for spin in dialog.findChildren(QAbstractSpinBox):
        assert spin.findChild(QLineEdit).textMargins().left() >= 4, spin.objectName()


def test_every_control_has_a_name_a_tooltip_and_a_label(dialog: PreferencesDialog) -> None:
    buddies = {label.buddy() for label in dialog.findChildren(QLabel) if label.buddy()}
    gaps = []
    for kind in (QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit, QAbstractButton):
        for w in dialog.findChildren(kind):
            if isinstance(w.parent(), (QAbstractSpinBox, QComboBox, QLineEdit, QTabBar)):
                continue  # parts of another control
            if isinstance(w, QAbstractButton):
                if not w.text() or not w.toolTip():
                    gaps.append(f"{type(w).__name__} {w.objectName()}: text or tooltip")
                continue
            if not (w.accessibleName() and w.toolTip() and w in buddies):
                gaps.append(f"{type(w).__name__} {w.objectName()}: name, tooltip or label")
    assert gaps == []


@pytest.mark.parametrize(("accepted", "expected"), [(True, True), (False, False)])
def test_edit_preferences_returns_the_result_only_after_ok(qtbot, monkeypatch, accepted: bool,
                                                           expected: bool) -> None:
    from lmns_desktop.gui import dialogs

    def run(d: PreferencesDialog) -> bool:
        d.theme_combo.setCurrentIndex(d.theme_combo.findData("light"))
        return accepted

    monkeypatch.setattr(dialogs, "run_dialog", run)
    result = edit_preferences(None, DEFAULTS)
    assert (result == dataclasses.replace(DEFAULTS, theme="light")) if expected else result is None


def test_the_new_gui_modules_load_no_pandas_or_matplotlib() -> None:
    """The window must open before the heavy libraries load (DESIGN.md section 4)."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import lmns_desktop.gui.preferences, lmns_desktop.gui.theme\n"
        "import lmns_desktop.gui.widgets.help_browser, lmns_desktop.gui.widgets.welcome_page\n"
        "import lmns_desktop.gui.widgets.preferences_dialog\n"
        "print(sorted(m for m in ('pandas', 'numpy', 'matplotlib', 'scipy') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
