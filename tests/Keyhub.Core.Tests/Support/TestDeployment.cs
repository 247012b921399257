using Keyhub.Core.Seal;
using Keyhub.Core.Storage;
using Microsoft.Extensions.Time.Testing;

namespace Keyhub.Core.Tests.Support;

/// <summary>
/// An unsealed deployment for engine tests: an in-memory store, an in-memory seal, a fake clock and a
/// <see cref="SealManager"/> that has initialised the store.
/// </summary>
internal sealed class TestDeployment : IDisposable
{
    /// <summary>A fixed start instant (whole seconds, so Unix-second round trips are exact).</summary>
    public static readonly DateTimeOffset Start = new(2025, 3, 14, 15, 9, 26, TimeSpan.Zero);

    private TestDeployment(InMemoryRecordStore store, FakeTimeProvider time, ISeal sealKey, SealManager seal)
    {
        Store = store;
        Time = time;
        SealKey = sealKey;
        Seal = seal;
    }

    public InMemoryRecordStore Store { get; }

    public FakeTimeProvider Time { get; }

    /// <summary>The seal that wraps this deployment's root key, for tests that restart the deployment.</summary>
    public ISeal SealKey { get; }

    public SealManager Seal { get; }

    public static async Task<TestDeployment> StartAsync()
    {
        var store = new InMemoryRecordStore();
        var time = new FakeTimeProvider(Start);
        var sealKey = InMemorySeal.CreateRandom();
        var seal = new SealManager(store, sealKey, time);
        await seal.InitializeOrUnsealAsync(CancellationToken.None);
        return new TestDeployment(store, time, sealKey, seal);
    }

    public void Dispose() => Seal.Dispose();
}
