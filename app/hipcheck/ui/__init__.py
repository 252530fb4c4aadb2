"""HipCheck's Qt user interface: tray app, settings and calibration dialogs, report window."""
