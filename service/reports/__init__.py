"""Reports for planners and management: figures per nationality and period, throughput
and handling time, where the time goes, charts, and their exports (CSV, XLSX, PDF)."""
