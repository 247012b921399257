using System.Collections.Concurrent;

namespace Keyhub.Server.Identity;

/// <summary>
/// Slows down guessing: after <see cref="MaxFailuresPerClient"/> failed client authentications within
/// <see cref="Window"/> for one client id, or <see cref="MaxFailuresPerAddress"/> from one caller address
/// (higher: many clients may share a NAT or a host), further attempts are refused (429) until the oldest
/// failure leaves the window. Successes do not count.
/// </summary>
public sealed class FailedAuthenticationLimiter(TimeProvider time)
{
    public const int MaxFailuresPerClient = 10;
    public const int MaxFailuresPerAddress = 100;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);
    private const int MaxTrackedKeys = 100_000;
    private readonly ConcurrentDictionary<string, Queue<DateTimeOffset>> _failures = new(StringComparer.Ordinal);

    /// <summary>How long the caller must wait, or null if it may try now.</summary>
    public TimeSpan? RetryAfter(string clientId, string? address)
    {
        var now = time.GetUtcNow();
        TimeSpan? wait = null;
        foreach (var key in Keys(clientId, address))
        {
            if (_failures.TryGetValue(key, out var queue))
            {
                var limit = key.StartsWith("client:", StringComparison.Ordinal) ? MaxFailuresPerClient : MaxFailuresPerAddress;
                lock (queue)
                {
                    Expire(queue, now);
                    if (queue.Count >= limit)
                    {
                        var until = queue.Peek() + Window - now;
                        wait = wait is null || until > wait ? until : wait;
                    }
                }
            }
        }
        return wait;
    }

    public void RecordFailure(string clientId, string? address)
    {
        if (_failures.Count > MaxTrackedKeys)
        {
            // Bounded memory under a flood of distinct ids: forget everything rather than grow.
            _failures.Clear();
        }
        var now = time.GetUtcNow();
        foreach (var key in Keys(clientId, address))
        {
            var queue = _failures.GetOrAdd(key, _ => new Queue<DateTimeOffset>());
            lock (queue)
            {
                Expire(queue, now);
                queue.Enqueue(now);
            }
        }
    }

    private static IEnumerable<string> Keys(string clientId, string? address)
    {
        yield return "client:" + clientId.ToLowerInvariant();
        if (address is not null)
        {
            yield return "address:" + address;
        }
    }

    private static void Expire(Queue<DateTimeOffset> queue, DateTimeOffset now)
    {
        while (queue.Count > 0 && queue.Peek() + Window <= now)
        {
            queue.Dequeue();
        }
    }
}
