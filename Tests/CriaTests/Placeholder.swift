import Testing
@testable import Cria
