"""Activities: what people did with a record (follow-ups now; tasks, comments later).

An activity points at its record by a generic target (type + id), so leads, customers and
opportunities share one table and one timeline. This app imports only core and workspaces.
"""
