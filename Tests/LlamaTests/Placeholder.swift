import Testing
@testable import Llama
