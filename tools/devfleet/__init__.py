"""Local-process orchestration of the fleet (stdlib only: it runs before and outside Django)."""

from .config import REPO_ROOT, SERVICES, FleetConfig, dev_config, test_config
from .errors import FleetError
from .fleet import Fleet
from .infra import Infra

__all__ = ["REPO_ROOT", "SERVICES", "Fleet", "FleetConfig", "FleetError", "Infra", "dev_config", "test_config"]
