import Testing
@testable import Cria

@Suite struct StopStringTests {
    /// Feeds pieces; returns the output and whether a stop string was hit.
    func run(_ pieces: [String], stops: [String]) -> (String, Bool) {
        var matcher = StopStringMatcher(stops)
        var out = ""
        for piece in pieces {
            let (text, stopped) = matcher.feed(piece)
            out += text
            if stopped { return (out, true) }
        }
        return (out + matcher.flush(), false)
    }

    @Test func stopStringSplitAcrossPiecesIsFound() {
        #expect(run(["Hello", " wo", "rld", "!"], stops: ["world"]) == ("Hello ", true))
        #expect(run(["ab", "c<", "|e", "nd|>", "x"], stops: ["<|end|>"]) == ("abc", true))
    }

    @Test func possibleStartsAreHeldThenReleased() {
        var matcher = StopStringMatcher(["STOP"])
        #expect(matcher.feed("go ST") == ("go ", false))  // "ST" may begin "STOP"
        #expect(matcher.feed("ART") == ("START", false))
        #expect(run(["a S", "T"], stops: ["STOP"]) == ("a ST", false))  // released at the end
    }

    @Test func earliestOfSeveralStopsWins() {
        #expect(run(["one two three"], stops: ["three", "two"]) == ("one ", true))
        #expect(run(["no stop here"], stops: []) == ("no stop here", false))
    }
}
