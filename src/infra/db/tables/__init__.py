"""Every table, one module per feature; importing this package registers them all on `Base`.

Adapters import their rows from their feature's module (`infra.db.tables.billing`); this
package imports every module it holds, so a feature's tables go with its file.
"""

import importlib
import pkgutil

from infra.db.tables._base import Base, UtcDateTime

__all__ = ["Base", "UtcDateTime"]

for _table_module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_table_module.name}")
