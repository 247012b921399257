using Keyhub.Core.Seal;
using Keyhub.Core.Storage;
using Keyhub.Core.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Keyhub.Core.Tests.Seal;

public sealed class BarrierRotationTests : IDisposable
{
    private static CancellationToken Ct => CancellationToken.None;
    private readonly TempDirectory _directory = new();
    private readonly InMemoryRecordStore _store = new();
    private readonly FakeTimeProvider _time = new(TestDeployment.Start);

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task Rotating_under_a_concurrent_writer_and_reader_fails_nothing_and_every_record_reads_back_after_a_restart()
    {
        using var seal = KeyFileSeal.OpenOrCreate(_directory.File("seal.key"));
        var written = new List<(RecordKey Key, byte[] Ciphertext, byte[] Plaintext)>();
        using (var manager = new SealManager(_store, seal, _time))
        {
            await manager.InitializeOrUnsealAsync(Ct);
            using var stop = new CancellationTokenSource();
            var failures = 0;
            // Dedicated threads: two busy loops on pool threads would starve the rotations' continuations.
            var writer = Task.Factory.StartNew(() =>
            {
                for (var i = 0; i < 200 || !stop.IsCancellationRequested; i++)
                {
                    var key = new RecordKey("hub", "secret-version", $"s{i}", "v");
                    var plaintext = System.Text.Encoding.UTF8.GetBytes($"value {i}");
                    var ciphertext = manager.Barrier.Encrypt(key, plaintext);
                    // Keep a sample, so checking them all after the restart stays quick however fast this loop ran.
                    if (i < 200 || i % 64 == 0)
                    {
                        lock (written)
                        {
                            written.Add((key, ciphertext, plaintext));
                        }
                    }
                }
            }, TaskCreationOptions.LongRunning);
            var reader = Task.Factory.StartNew(() =>
            {
                while (!stop.IsCancellationRequested)
                {
                    (RecordKey Key, byte[] Ciphertext, byte[] Plaintext)[] snapshot;
                    lock (written)
                    {
                        snapshot = [.. written.TakeLast(20)];
                    }
                    foreach (var (key, ciphertext, plaintext) in snapshot)
                    {
                        if (!manager.Barrier.Decrypt(key, ciphertext).AsSpan().SequenceEqual(plaintext))
                        {
                            Interlocked.Increment(ref failures);
                        }
                    }
                }
            }, TaskCreationOptions.LongRunning);

            var terms = new List<uint>();
            for (var r = 0; r < 5; r++)
            {
                await Task.Delay(5);
                terms.Add(await manager.RotateBarrierAsync(Ct));
            }
            stop.Cancel();
            await Task.WhenAll(writer, reader);

            Assert.Equal(0, failures);
            Assert.Equal([2u, 3u, 4u, 5u, 6u], terms);
            Assert.Equal(6u, manager.ActiveTerm);
        }

        using var restarted = new SealManager(_store, seal, _time);
        await restarted.InitializeOrUnsealAsync(Ct);
        Assert.Equal(6u, restarted.ActiveTerm);
        foreach (var (key, ciphertext, plaintext) in written)
        {
            Assert.Equal(plaintext, restarted.Barrier.Decrypt(key, ciphertext));
        }
        // Records made before and after the rotations carry different terms.
        var termsUsed = written.Select(w => Keyhub.Core.Barrier.AesGcmEnvelope.ReadTerm(w.Ciphertext)).Distinct().ToList();
        Assert.Contains(1u, termsUsed);
        Assert.True(termsUsed.Count > 1);
    }

    [Fact]
    public async Task A_sealed_manager_refuses_to_rotate()
    {
        using var seal = KeyFileSeal.OpenOrCreate(_directory.File("seal.key"));
        using var manager = new SealManager(_store, seal, _time);

        Assert.Equal(503, (await Assert.ThrowsAsync<Keyhub.Core.Errors.KeyhubException>(() => manager.RotateBarrierAsync(Ct))).Status);
    }
}
