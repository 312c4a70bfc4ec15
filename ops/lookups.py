"""`field__any=[…]`: a column equal to any of many values, for lists of hundreds of ids.

Django's `__in` prepares every value of the list through the field (a foreign key's through its
related lookups) and writes one placeholder each: building the query for 800 indicators and 600
units cost a national dashboard page tens of milliseconds. On PostgreSQL this is one array
parameter, `col = ANY(%s)`; elsewhere the same `IN (…)` as `__in`. Given a set rather than a
list, Django's query builder also leaves the values alone (it resolves a list's one by one).
"""

from __future__ import annotations

from django.db.models import Field, ForeignObject, Lookup


class AnyOf(Lookup):
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self):
        return [int(v) for v in self.rhs]  # ids: a bad value fails here, not in the database

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if not self.rhs:
            return "1 = 0", []  # nothing matches an empty list, as with __in
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, self.rhs]
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*lhs_params, *self.rhs]


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # foreign keys have lookups of their own
