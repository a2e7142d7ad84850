import Cria
import Prometheus

/// The server's Prometheus metrics: requests by route and status, tokens, latencies, and the
/// engines' load, read when `/metrics` is scraped.
public final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let promptTokens: Counter
    private let cachedPromptTokens: Counter
    private let generatedTokens: Counter
    private let timeToFirstToken: ValueHistogram
    private let timePerToken: ValueHistogram
    private let queueDepth: Gauge
    private let activeSequences: Gauge
    private let kvCacheTokens: Gauge
    private let kvCacheCapacity: Gauge
    private let kvCacheBytes: Gauge

    /// `cria_<name>_<unit>`, with its help text.
    private static func descriptor(_ name: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "cria", metricName: name, unitName: unit, helpText: help)
    }

    public init() {
        let d = ServerMetrics.descriptor
        promptTokens = registry.makeCounter(descriptor: d("prompt_tokens", "total", "Prompt tokens of finished requests"))
        cachedPromptTokens = registry.makeCounter(
            descriptor: d("prompt_tokens_cached", "total", "Prompt tokens reused from the KV cache (prefix caching)"))
        generatedTokens = registry.makeCounter(descriptor: d("generated_tokens", "total", "Tokens generated"))
        timeToFirstToken = registry.makeValueHistogram(
            descriptor: d("time_to_first_token", "seconds", "Seconds from a request's arrival to its first generated token"),
            buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60])
        timePerToken = registry.makeValueHistogram(
            descriptor: d("time_per_output_token", "seconds", "Seconds between generated tokens of a request"),
            buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1])
        queueDepth = registry.makeGauge(descriptor: d("queue_depth", "", "Requests waiting for a sequence"))
        activeSequences = registry.makeGauge(descriptor: d("active_sequences", "", "Requests being generated"))
        kvCacheTokens = registry.makeGauge(descriptor: d("kv_cache", "tokens", "KV cache positions holding tokens"))
        kvCacheCapacity = registry.makeGauge(descriptor: d("kv_cache_capacity", "tokens", "KV cache positions in all"))
        kvCacheBytes = registry.makeGauge(descriptor: d("kv_cache_used", "bytes", "Bytes of KV cache holding tokens"))
    }

    /// Counts a finished HTTP request.
    func request(route: String, method: String, status: Int) {
        registry.makeCounter(
            descriptor: ServerMetrics.descriptor("http_requests", "total", "HTTP requests by route, method and status"),
            labels: [("route", route), ("method", method), ("status", String(status))]
        ).increment()
    }

    /// Records a generation's token counts and latencies.
    func generation(_ stats: GenerationStats, firstTokenSeconds: Double?) {
        promptTokens.increment(by: Int64(stats.promptTokens))
        cachedPromptTokens.increment(by: Int64(stats.cachedPromptTokens))
        generatedTokens.increment(by: Int64(stats.generatedTokens))
        if let firstTokenSeconds { timeToFirstToken.record(firstTokenSeconds) }
        if stats.generatedTokens > 1 {
            timePerToken.record(stats.generationSeconds / Double(stats.generatedTokens - 1))
        }
    }

    /// Prometheus text of every metric, the engines' load read now.
    func exposition(models: [ServedModel]) -> String {
        var queued = 0, active = 0, cached = 0, capacity = 0, bytes = 0
        for served in models {
            let s = served.engine.status
            queued += s.queued
            active += s.active
            cached += s.cachedTokens
            capacity += s.capacityTokens
            bytes += s.cachedTokens * s.bytesPerToken
        }
        queueDepth.set(Double(queued))
        activeSequences.set(Double(active))
        kvCacheTokens.set(Double(cached))
        kvCacheCapacity.set(Double(capacity))
        kvCacheBytes.set(Double(bytes))
        return registry.emitToString()
    }
}
