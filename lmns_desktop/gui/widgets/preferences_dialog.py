"""The Preferences dialog: every :class:`Preferences` field, checked as the user types.

Why live checks: a wrong disclosure threshold or a folder that does not exist should be caught
here, in a sentence beside the OK button, not when a board report is half made. OK stays
disabled until everything can be used; "Restore defaults" puts back the values the app ships
with (nothing is saved until OK).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from lmns_desktop.core import vocab
from lmns_desktop.gui.preferences import (
    CI_LEVELS,
    DEFAULTS,
    IMD_REFERENCE_LABELS,
    IMD_REFERENCES,
    MAX_BACKUPS,
    MAX_SUPPRESSED,
    REFERENCE_ETHNIC_CODES,
    THEME_LABELS,
    THEMES,
    Preferences,
    clean_list,
)
from lmns_desktop.gui.theme import inset_spin_box_text

#: Counts shown in the live example of the disclosure rule.
EXAMPLE_COUNTS = (0, 3, 7, 8, 12, 1234)


def _ci_label(level: float) -> str:
    return f"{level:g}%"


class PreferencesDialog(QDialog):
    """Edit a copy of the preferences; read the result with :meth:`preferences` after OK."""

    def __init__(self, prefs: Preferences | None = None, parent: QWidget | None = None, *,
                 default_data_folder: Path | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferences_dialog")
        self.setWindowTitle("Preferences")
        self.setAccessibleName("Preferences")
        self.default_data_folder = default_data_folder
        #: Asks for a folder; replaced in tests so nothing blocks.
        self.folder_chooser: Callable[[QWidget, str, str], str] = QFileDialog.getExistingDirectory
        self._build()
        self.set_preferences(prefs or DEFAULTS)
        self.data_folder_edit.setFocus()  # start in the first field, not on the page tabs

    # --- building -------------------------------------------------------------------------
    def _row(self, form: QFormLayout, text: str, field: QWidget, name: str, tip: str,
             target: QWidget | None = None) -> None:
        """Add a labelled row: the label is the buddy of ``target`` (the field by default)."""
        target = target or field
        label = QLabel(text, self)
        label.setBuddy(target)
        target.setAccessibleName(name)
        target.setToolTip(tip)
        target.setObjectName(f"pref_{name.lower().replace(' ', '_').replace('-', '_')}")
        form.addRow(label, field)

    @staticmethod
    def _form(page: QWidget) -> QFormLayout:
        form = QFormLayout(page)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return form

    def _spin(self, low: int, high: int) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setRange(low, high)
        spin.setAccelerated(True)
        inset_spin_box_text(spin)
        return spin

    def _build(self) -> None:
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Preference pages")

        # General
        general = QWidget(self)
        form = self._form(general)
        self.data_folder_edit = QLineEdit(self)
        self.data_folder_edit.setClearButtonEnabled(True)
        default = str(self.default_data_folder) if self.default_data_folder else "the default folder"
        self.data_folder_edit.setPlaceholderText(f"Default: {default}")
        self.choose_folder_button = QPushButton("Choose…", self)
        self.choose_folder_button.setObjectName("pref_choose_folder_button")
        self.choose_folder_button.setAccessibleName("Choose the data folder")
        self.choose_folder_button.setToolTip("Pick a folder for reference files, saved mappings "
                                             "and recovery copies")
        self.choose_folder_button.setAutoDefault(False)
        folder_row = QHBoxLayout()
        folder_row.setContentsMargins(0, 0, 0, 0)
        folder_row.addWidget(self.data_folder_edit, 1)
        folder_row.addWidget(self.choose_folder_button)
        folder_holder = QWidget(self)
        folder_holder.setLayout(folder_row)
        self._row(form, "&Data folder:", folder_holder, "Data folder",
                  "Where reference files, saved mappings and recovery copies are kept. Leave "
                  "empty for the default folder.", target=self.data_folder_edit)
        self.backups_spin = self._spin(1, MAX_BACKUPS)
        self._row(form, "&Backups kept per register:", self.backups_spin, "Backups kept",
                  "How many earlier versions of a register are kept in its .backups folder")
        self.theme_combo = QComboBox(self)
        for key in THEMES:
            self.theme_combo.addItem(THEME_LABELS[key], key)
        self._row(form, "&Appearance:", self.theme_combo, "Appearance",
                  "Light or dark colours, or follow the Windows setting")
        self.welcome_check = QCheckBox("Show the &welcome page when nothing is open", self)
        self.welcome_check.setObjectName("pref_show_welcome_page")
        self.welcome_check.setToolTip("The page with the big starting buttons (Explore the demo, "
                                      "Open a register…)")
        form.addRow(self.welcome_check)
        self.tabs.addTab(general, "General")

        # Statistics
        stats = QWidget(self)
        form = self._form(stats)
        self.ci_combo = QComboBox(self)
        for level in CI_LEVELS:
            self.ci_combo.addItem(_ci_label(level), level)
        self._row(form, "&Confidence level:", self.ci_combo, "Confidence level",
                  "The level of every confidence interval (95% is usual; 99.8% is stricter)")
        self.small_spin = self._spin(0, 10_000)
        self._row(form, "&Small-number threshold:", self.small_spin, "Small-number threshold",
                  "Findings about groups with fewer women than this say that the figures are "
                  "uncertain")
        self.imd_combo = QComboBox(self)
        for key in IMD_REFERENCES:
            self.imd_combo.addItem(IMD_REFERENCE_LABELS[key], key)
        self._row(form, "&Deprivation reference group:", self.imd_combo,
                  "Deprivation reference group",
                  "Ratios by IMD decile or quintile compare each group with this one")
        self.category_combo = QComboBox(self)
        for code in REFERENCE_ETHNIC_CODES:
            self.category_combo.addItem(f"{code}: {vocab.ETHNIC_CATEGORIES[code]}", code)
        self._row(form, "&Ethnic category reference:", self.category_combo,
                  "Ethnic category reference",
                  "Ratios by NHS ethnic category compare each category with this one")
        self.group_combo = QComboBox(self)
        for group in vocab.ETHNIC_GROUPS:
            self.group_combo.addItem(group, group)
        self._row(form, "Ethnic &group reference:", self.group_combo, "Ethnic group reference",
                  "Ratios by ethnic group compare each group with this one")
        self.continuity_spin = QDoubleSpinBox(self)
        self.continuity_spin.setRange(0.0, 100.0)
        self.continuity_spin.setDecimals(1)
        self.continuity_spin.setSuffix(" %")
        inset_spin_box_text(self.continuity_spin)
        self._row(form, "Con&tinuity-of-carer target:", self.continuity_spin,
                  "Continuity-of-carer target",
                  "The share of women on a continuity-of-carer pathway the LMNS aims for")
        self.tabs.addTab(stats, "Statistics")

        # Disclosure control
        disclosure = QWidget(self)
        form = self._form(disclosure)
        caution = QLabel("Shared reports hide small counts so nobody can be identified. Only "
                         "change these numbers if your information governance lead asks you "
                         "to.", self)
        caution.setWordWrap(True)
        form.addRow(caution)
        self.lower_spin = self._spin(1, MAX_SUPPRESSED)
        self._row(form, "Smallest count &hidden:", self.lower_spin, "Smallest count hidden",
                  "Counts from this number up are shown as * (0 always stays 0)")
        self.upper_spin = self._spin(1, MAX_SUPPRESSED)
        self._row(form, "&Largest count hidden:", self.upper_spin, "Largest count hidden",
                  "Counts up to this number are shown as *")
        self.base_spin = self._spin(1, 100)
        self._row(form, "&Round other counts to the nearest:", self.base_spin, "Rounding base",
                  "Other counts are rounded to a multiple of this number")
        self.example = QLabel(self)
        self.example.setObjectName("pref_disclosure_example")
        self.example.setWordWrap(True)
        self.example.setAccessibleName("Example of the rule")
        form.addRow(self.example)
        self.tabs.addTab(disclosure, "Disclosure control")

        # Lists
        lists = QWidget(self)
        form = self._form(lists)
        intro = QLabel("Your own additions to the built-in lists, one per line. They are offered "
                       "in the register's drop-down lists on this computer.", self)
        intro.setWordWrap(True)
        form.addRow(intro)
        self.plus_edit = QPlainTextEdit(self)
        self.plus_edit.setTabChangesFocus(True)
        self._row(form, "Extra &PLUS groups:", self.plus_edit, "Extra PLUS groups",
                  "PLUS groups used by your LMNS in addition to the built-in ones, one per line")
        self.trusts_edit = QPlainTextEdit(self)
        self.trusts_edit.setTabChangesFocus(True)
        self._row(form, "Extra t&rusts:", self.trusts_edit, "Extra trusts",
                  "Trusts in addition to those already in the register, one per line")
        self.tabs.addTab(lists, "Your lists")

        self.problem_label = QLabel(self)
        self.problem_label.setObjectName("preferences_problem")
        self.problem_label.setWordWrap(True)
        self.problem_label.setAccessibleName("Problems with these preferences")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults, self)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.restore_button = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        self.restore_button.setObjectName("pref_restore_defaults_button")
        self.restore_button.setText("&Restore defaults")
        self.restore_button.setToolTip("Put back the values the app came with (saved only when "
                                       "you choose OK)")
        self.restore_button.setAutoDefault(False)
        self.ok_button.setToolTip("Save these preferences")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setToolTip(
            "Close without changing anything (Esc)")

        font = self.problem_label.font()
        font.setBold(True)
        self.problem_label.setFont(font)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 84)

        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.problem_label)
        layout.addWidget(self.buttons)

        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.restore_button.clicked.connect(self.restore_defaults)
        self.choose_folder_button.clicked.connect(self._on_choose_folder_clicked)
        self.data_folder_edit.textChanged.connect(self._validate)
        for spin in (self.backups_spin, self.small_spin, self.lower_spin, self.upper_spin,
                     self.base_spin):
            spin.valueChanged.connect(self._validate)
        for spin in (self.lower_spin, self.upper_spin, self.base_spin):
            spin.valueChanged.connect(self._update_example)
        self.continuity_spin.valueChanged.connect(self._validate)
        for edit in (self.plus_edit, self.trusts_edit):
            edit.textChanged.connect(self._validate)

    # --- values ---------------------------------------------------------------------------
    def set_preferences(self, prefs: Preferences) -> None:
        """Show ``prefs`` in the controls."""
        self.data_folder_edit.setText(str(prefs.data_folder) if prefs.data_folder else "")
        self.backups_spin.setValue(prefs.backups_kept)
        self._select(self.theme_combo, prefs.theme)
        self.welcome_check.setChecked(prefs.show_welcome_page)
        self._select(self.ci_combo, prefs.ci_level)
        self.small_spin.setValue(prefs.small_number_threshold)
        self._select(self.imd_combo, prefs.imd_reference)
        self._select(self.category_combo, prefs.ethnic_category_reference)
        self._select(self.group_combo, prefs.ethnic_group_reference)
        self.continuity_spin.setValue(prefs.continuity_target)
        self.lower_spin.setValue(prefs.suppression_lower)
        self.upper_spin.setValue(prefs.suppression_upper)
        self.base_spin.setValue(prefs.rounding_base)
        self.plus_edit.setPlainText("\n".join(prefs.extra_plus_groups))
        self.trusts_edit.setPlainText("\n".join(prefs.extra_trusts))
        self._update_example()
        self._validate()

    @staticmethod
    def _select(combo: QComboBox, value: object) -> None:
        index = combo.findData(value)
        combo.setCurrentIndex(index if index >= 0 else 0)

    def preferences(self) -> Preferences:
        """The preferences as shown (check :meth:`problems` before using them)."""
        folder = self.data_folder_edit.text().strip()
        return Preferences(
            data_folder=Path(folder) if folder else None,
            backups_kept=self.backups_spin.value(),
            suppression_lower=self.lower_spin.value(),
            suppression_upper=self.upper_spin.value(),
            rounding_base=self.base_spin.value(),
            small_number_threshold=self.small_spin.value(),
            imd_reference=str(self.imd_combo.currentData()),
            ethnic_category_reference=str(self.category_combo.currentData()),
            ethnic_group_reference=str(self.group_combo.currentData()),
            ci_level=float(self.ci_combo.currentData()),
            continuity_target=float(self.continuity_spin.value()),
            extra_plus_groups=clean_list(self.plus_edit.toPlainText().splitlines()),
            extra_trusts=clean_list(self.trusts_edit.toPlainText().splitlines()),
            theme=str(self.theme_combo.currentData()),
            show_welcome_page=self.welcome_check.isChecked(),
        )

    def restore_defaults(self) -> None:
        """Show the shipped defaults (the user still chooses OK or Cancel)."""
        self.set_preferences(DEFAULTS)

    def problems(self) -> list[str]:
        """What stops OK: the preferences' own checks and a data folder that does not exist."""
        prefs = self.preferences()
        out = prefs.problems()
        folder = prefs.data_folder
        if folder is not None and folder.is_absolute() and not folder.is_dir():
            out.insert(0, f"The data folder “{folder}” does not exist. Choose a folder that "
                          "exists, or leave the box empty for the default.")
        return out

    # --- reactions ------------------------------------------------------------------------
    def _validate(self) -> None:
        problems = self.problems()
        self.problem_label.setText(" ".join(problems))
        self.problem_label.setVisible(bool(problems))
        self.ok_button.setEnabled(not problems)

    def _update_example(self) -> None:
        from lmns_desktop.core.disclosure import SuppressionRule, suppress_counts

        try:
            rule = SuppressionRule(self.lower_spin.value(), self.upper_spin.value(),
                                   self.base_spin.value())
        except ValueError as exc:
            self.example.setText(str(exc))
            return
        shown = suppress_counts(list(EXAMPLE_COUNTS), rule)
        pairs = ", ".join(f"{count:,} → {value if isinstance(value, str) else f'{value:,}'}"
                          for count, value in zip(EXAMPLE_COUNTS, shown))
        self.example.setText(f"For example: {pairs}.")

    def _on_choose_folder_clicked(self) -> None:
        start = self.data_folder_edit.text() or str(self.default_data_folder or Path.home())
        chosen = self.folder_chooser(self, "Choose the data folder", start)
        if chosen:
            self.data_folder_edit.setText(str(Path(chosen)))


def edit_preferences(parent: QWidget | None, prefs: Preferences, *,
                     default_data_folder: Path | None = None) -> Preferences | None:
    """Show the dialog modally; the new preferences after OK, None after Cancel."""
    from lmns_desktop.gui import dialogs

    dialog = PreferencesDialog(prefs, parent, default_data_folder=default_data_folder)
    try:
        if dialogs.run_dialog(dialog):
            return dialog.preferences()
        return None
    finally:
        dialog.deleteLater()
