"""pywats_station: the building blocks of a headless WATS station.

Configuration and station home, encrypted credentials and registration, the retry policy,
the circuit breaker, the connection service, the single-instance lock, the atomic
``status.json`` writer and the metrics registry. The console script is ``pywats-station``.
"""

from pywats_station._breaker import (
    BreakerChange,
    BreakerState,
    CircuitBreaker,
    CircuitOpenError,
    Permit,
    counts_as_breaker_failure,
)
from pywats_station._config import (
    ConfigError,
    StationConfig,
    load_config,
    save_config,
)
from pywats_station._connection import ConnectionChange, ConnectionService, ConnectionState
from pywats_station._credentials import (
    CredentialsError,
    CredentialStore,
    Secret,
    StationCredentials,
)
from pywats_station._files import atomic_write_bytes, read_status, write_status
from pywats_station._home import HOME_ENV_VAR, StationHome, resolve_home
from pywats_station._keeper import CredentialKeeper, CredentialState, NeedsPerson
from pywats_station._lock import InstanceLock, InstanceLockedError, lock_holder
from pywats_station._metrics import StationMetrics
from pywats_station._pressure import Backpressure
from pywats_station._register import (
    RegistrationError,
    ServerTooOldError,
    StationInfo,
    register_station,
    verify_credentials,
)
from pywats_station._retry import Action, RetryDecision, RetryPolicy, is_auth_error, is_retryable
from pywats_station._status import StatusReporter, collect_status
from pywats_station._uploader import UploadCounts, Uploader, UploadOutcome
from pywats_station._version import __version__

__all__ = [
    # home and configuration
    "HOME_ENV_VAR",
    "StationHome",
    "resolve_home",
    "StationConfig",
    "ConfigError",
    "load_config",
    "save_config",
    # credentials and registration
    "Secret",
    "StationCredentials",
    "CredentialStore",
    "CredentialsError",
    "StationInfo",
    "RegistrationError",
    "ServerTooOldError",
    "register_station",
    "verify_credentials",
    # retry policy and circuit breaker
    "RetryPolicy",
    "RetryDecision",
    "Action",
    "is_retryable",
    "is_auth_error",
    "CircuitBreaker",
    "BreakerState",
    "BreakerChange",
    "CircuitOpenError",
    "Permit",
    "counts_as_breaker_failure",
    # connectivity
    "ConnectionService",
    "ConnectionState",
    "ConnectionChange",
    # process and status
    "InstanceLock",
    "InstanceLockedError",
    "lock_holder",
    "atomic_write_bytes",
    "write_status",
    "read_status",
    "StationMetrics",
    "StatusReporter",
    # delivery
    "CredentialKeeper",
    "CredentialState",
    "NeedsPerson",
    "Backpressure",
    "Uploader",
    "UploadOutcome",
    "UploadCounts",
    "collect_status",
    "__version__",
]
