/// Ansible's rollout rules: `serial` batches and when failures stop the run.
public enum RolloutBatches {
    /// Splits `items` into batches by `serial` sizes (counts, or percentages of the whole, rounded down and at
    /// least 1); the last size repeats until every item is in a batch.
    public static func split<T>(_ items: [T], serial: [BatchSize]) -> [[T]] {
        guard !items.isEmpty else { return [] }
        let sizes = serial.isEmpty ? [BatchSize.percent(100)] : serial
        var batches: [[T]] = []
        var start = 0
        var index = 0
        while start < items.count {
            let size: Int =
                switch sizes[min(index, sizes.count - 1)] {
                case let .count(count): max(1, count)
                case let .percent(percent): max(1, items.count * percent / 100)
                }
            let end = min(items.count, start + size)
            batches.append(Array(items[start..<end]))
            start = end
            index += 1
        }
        return batches
    }

    /// Whether the run stops before the next batch: the batch's failed share is above
    /// `maxFailPercentage`, or failures so far reach `maxFailures` (when set).
    public static func shouldStop(batchSize: Int, batchFailures: Int, totalFailures: Int, rollout: Rollout) -> String? {
        if batchSize > 0, batchFailures * 100 > rollout.maxFailPercentage * batchSize {
            return
                "\(batchFailures) of \(batchSize) hosts in the batch failed, more than max_fail_percentage \(rollout.maxFailPercentage)%"
        }
        if let maxFailures = rollout.maxFailures, totalFailures >= maxFailures, totalFailures > 0 {
            return "\(totalFailures) hosts failed, max_failures is \(maxFailures)"
        }
        return nil
    }
}
