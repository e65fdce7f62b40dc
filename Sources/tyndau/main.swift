import Foundation
import Logging
import TyndauCLI

// The process's only logging bootstrap: text or JSON lines on standard error, as the command's
// configuration (`log.format`, `TYNDAU_LOG_FORMAT`, `--log-format`) chooses once it has read it.
LoggingSystem.bootstrap { label in TyndauLogHandler(label: label) }
// The only metrics bootstrap: swift-metrics into the Prometheus registry that `/metrics` renders.
MetricsExposition.bootstrap()
exit(await Tyndau.main())
