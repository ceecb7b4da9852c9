"""Reports, dashboards, goals and commission: reads every app, writes only its own rows."""
