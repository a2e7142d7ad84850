/// An error from the Cria library, with a message meant for the person running it.
public struct CriaError: Error, CustomStringConvertible, Equatable {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}
