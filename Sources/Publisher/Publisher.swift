import CCurl
import Crypto
import TyndauCore

// The publisher's home: the libcurl client, the targets and the delivery worker over the outbox
// (see ARCHITECTURE.md). Filled in by the publisher issue.
