import Foundation
import TyndauCLI

exit(await Tyndau.main())
