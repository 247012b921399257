using Keyhub.Core.Storage;

namespace Keyhub.Core.Tests.Storage;

/// <summary>
/// The behaviour every <see cref="IRecordStore"/> promises. Each backend's test class derives from this
/// one and supplies a fresh, empty store per test.
/// </summary>
public abstract class RecordStoreContractTests
{
    /// <summary>A fixed instant with millisecond precision, the finest every store keeps.</summary>
    protected static readonly DateTimeOffset T0 = new(2025, 3, 14, 15, 9, 26, 535, TimeSpan.Zero);

    protected static CancellationToken Ct => CancellationToken.None;

    protected abstract Task<IRecordStore> CreateStoreAsync();

    [Fact]
    public async Task Reports_a_format_version()
    {
        await using var store = await CreateStoreAsync();

        Assert.True(store.FormatVersion >= 1);
    }

    [Fact]
    public async Task Get_of_a_missing_key_returns_null()
    {
        await using var store = await CreateStoreAsync();

        Assert.Null(await store.GetAsync(Key("absent"), Ct));
    }

    [Fact]
    public async Task Put_then_get_returns_every_field()
    {
        await using var store = await CreateStoreAsync();
        var record = Record("alpha", "v1", payload: [1, 2, 3]) with
        {
            Updated = T0.AddMinutes(1),
            Deleted = T0.AddMinutes(2),
            PurgeAt = T0.AddDays(90),
            Expires = T0.AddYears(1),
            Enabled = false,
        };

        await PutAsync(store, record);

        AssertSameRecord(record, await store.GetAsync(record.Key, Ct));
    }

    [Fact]
    public async Task Absent_optional_timestamps_round_trip_as_null()
    {
        await using var store = await CreateStoreAsync();
        var record = Record("alpha");

        await PutAsync(store, record);

        var stored = await store.GetAsync(record.Key, Ct);
        Assert.NotNull(stored);
        Assert.Null(stored.Deleted);
        Assert.Null(stored.PurgeAt);
        Assert.Null(stored.Expires);
        Assert.True(stored.Enabled);
    }

    [Theory]
    [InlineData("2025-03-14T15:09:26.535+00:00")]
    [InlineData("2025-03-14T17:09:26.999+02:00")]
    [InlineData("1969-07-20T20:17:40.001+00:00")]
    [InlineData("0001-01-01T00:00:00.000+00:00")]
    [InlineData("9999-12-31T23:59:59.999+00:00")]
    public async Task Timestamps_round_trip_to_the_millisecond(string instant)
    {
        await using var store = await CreateStoreAsync();
        var at = DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);
        var record = Record("alpha") with { Created = at, Updated = at, Deleted = at, PurgeAt = at, Expires = at };

        await PutAsync(store, record);

        // DateTimeOffset equality compares instants: a store may hand the instant back in UTC.
        var stored = await store.GetAsync(record.Key, Ct);
        Assert.NotNull(stored);
        Assert.Equal(at, stored.Created);
        Assert.Equal(at, stored.Updated);
        Assert.Equal(at, stored.Deleted);
        Assert.Equal(at, stored.PurgeAt);
        Assert.Equal(at, stored.Expires);
    }

    [Fact]
    public async Task Payload_round_trips_byte_for_byte()
    {
        await using var store = await CreateStoreAsync();
        var everyByte = Enumerable.Range(0, 256).Select(b => (byte)b).ToArray();
        var large = new byte[200_000];
        new Random(42).NextBytes(large);

        await PutAsync(store, Record("every-byte", payload: everyByte), Record("large", payload: large), Record("empty", payload: []));

        Assert.Equal(everyByte, await PayloadAsync(store, Key("every-byte")));
        Assert.Equal(large, await PayloadAsync(store, Key("large")));
        Assert.Equal(Bytes(), await PayloadAsync(store, Key("empty")));
    }

    [Fact]
    public async Task Stored_payload_is_not_shared_with_the_callers_arrays()
    {
        await using var store = await CreateStoreAsync();
        var payload = new byte[] { 1, 2, 3 };
        await PutAsync(store, Record("alpha", payload: payload));

        payload[0] = 99;
        var returned = await PayloadAsync(store, Key("alpha"));
        returned[1] = 99;

        Assert.Equal(Bytes(1, 2, 3), await PayloadAsync(store, Key("alpha")));
    }

    [Fact]
    public async Task Put_replaces_an_existing_record()
    {
        await using var store = await CreateStoreAsync();
        await PutAsync(store, Record("alpha", payload: [1]));
        var replacement = Record("alpha", payload: [2, 2]) with { Updated = T0.AddHours(1), Enabled = false, Expires = T0.AddDays(1) };

        await PutAsync(store, replacement);

        AssertSameRecord(replacement, await store.GetAsync(Key("alpha"), Ct));
    }

    [Fact]
    public async Task Insert_of_a_new_key_stores_the_record()
    {
        await using var store = await CreateStoreAsync();
        var record = Record("alpha", payload: [7]);

        await store.WriteAsync([new RecordWrite.Insert(record)], Ct);

        AssertSameRecord(record, await store.GetAsync(record.Key, Ct));
    }

    [Fact]
    public async Task Insert_of_an_existing_key_fails_and_applies_nothing_of_the_batch()
    {
        await using var store = await CreateStoreAsync();
        var existing = Record("alpha", payload: [1]);
        await PutAsync(store, existing);
        var neighbour = Record("beta", payload: [3]);
        await PutAsync(store, neighbour);

        var conflict = await Assert.ThrowsAsync<RecordConflictException>(() => store.WriteAsync(
            [
                new RecordWrite.Put(Record("before")),
                new RecordWrite.Remove(neighbour.Key),
                new RecordWrite.Insert(Record("alpha", payload: [2])),
                new RecordWrite.Put(Record("after")),
            ],
            Ct));

        Assert.Equal(existing.Key, conflict.Key);
        AssertSameRecord(existing, await store.GetAsync(existing.Key, Ct));
        AssertSameRecord(neighbour, await store.GetAsync(neighbour.Key, Ct));
        Assert.Null(await store.GetAsync(Key("before"), Ct));
        Assert.Null(await store.GetAsync(Key("after"), Ct));
    }

    [Fact]
    public async Task Insert_conflicts_with_a_record_written_earlier_in_the_same_batch()
    {
        await using var store = await CreateStoreAsync();

        await Assert.ThrowsAsync<RecordConflictException>(() => store.WriteAsync(
            [new RecordWrite.Insert(Record("alpha")), new RecordWrite.Insert(Record("alpha"))],
            Ct));

        Assert.Null(await store.GetAsync(Key("alpha"), Ct));
    }

    [Fact]
    public async Task Writes_of_a_batch_apply_in_order()
    {
        await using var store = await CreateStoreAsync();
        await PutAsync(store, Record("alpha", payload: [1]));

        await store.WriteAsync(
            [
                new RecordWrite.Remove(Key("alpha")),
                new RecordWrite.Insert(Record("alpha", payload: [2])),
                new RecordWrite.Put(Record("beta", payload: [3])),
                new RecordWrite.Remove(Key("beta")),
                new RecordWrite.Insert(Record("gamma", payload: [4])),
                new RecordWrite.Put(Record("gamma", payload: [5])),
            ],
            Ct);

        Assert.Equal(Bytes(2), await PayloadAsync(store, Key("alpha")));
        Assert.Null(await store.GetAsync(Key("beta"), Ct));
        Assert.Equal(Bytes(5), await PayloadAsync(store, Key("gamma")));
    }

    [Fact]
    public async Task Remove_of_a_missing_key_is_not_an_error()
    {
        await using var store = await CreateStoreAsync();

        await store.WriteAsync([new RecordWrite.Remove(Key("absent")), new RecordWrite.RemoveAll("vault-a", "secret", "absent")], Ct);

        Assert.Empty(await store.ListAsync(new RecordQuery("vault-a", "secret") { Deleted = DeletedFilter.Any }, Ct));
    }

    [Fact]
    public async Task Remove_removes_only_the_given_version()
    {
        await using var store = await CreateStoreAsync();
        await PutAsync(store, Record("alpha", "v1"), Record("alpha", "v2"));

        await store.WriteAsync([new RecordWrite.Remove(Key("alpha", "v1"))], Ct);

        Assert.Null(await store.GetAsync(Key("alpha", "v1"), Ct));
        Assert.NotNull(await store.GetAsync(Key("alpha", "v2"), Ct));
    }

    [Fact]
    public async Task RemoveAll_removes_every_version_of_one_name_only()
    {
        await using var store = await CreateStoreAsync();
        await PutAsync(
            store,
            Record("alpha", "v1"),
            Record("alpha", "v2") with { Deleted = T0 },
            Record("alpha-2", "v1"),
            Record("alph", "v1"),
            Record("alpha", "v1", vault: "vault-b"),
            Record("alpha", "v1", kind: "key"));

        await store.WriteAsync([new RecordWrite.RemoveAll("vault-a", "secret", "alpha")], Ct);

        Assert.Null(await store.GetAsync(Key("alpha", "v1"), Ct));
        Assert.Null(await store.GetAsync(Key("alpha", "v2"), Ct));
        Assert.NotNull(await store.GetAsync(Key("alpha-2", "v1"), Ct));
        Assert.NotNull(await store.GetAsync(Key("alph", "v1"), Ct));
        Assert.NotNull(await store.GetAsync(Key("alpha", "v1", vault: "vault-b"), Ct));
        Assert.NotNull(await store.GetAsync(Key("alpha", "v1", kind: "key"), Ct));
    }

    [Fact]
    public async Task Keys_compare_byte_for_byte()
    {
        await using var store = await CreateStoreAsync();
        string[] names = ["name", "Name", "name ", "n\u00e4me", "na\u0308me"];
        await PutAsync(store, [.. names.Select((name, i) => Record(name, payload: [(byte)i]))]);

        for (var i = 0; i < names.Length; i++)
        {
            Assert.Equal(Bytes((byte)i), await PayloadAsync(store, Key(names[i])));
        }
    }

    [Fact]
    public async Task Empty_version_identifies_a_record_of_its_own()
    {
        await using var store = await CreateStoreAsync();
        await PutAsync(store, Record("alpha", "", payload: [1]), Record("alpha", "v1", payload: [2]));

        Assert.Equal(Bytes(1), await PayloadAsync(store, Key("alpha", "")));
        Assert.Equal(["alpha/", "alpha/v1"], (await store.ListAsync(new RecordQuery("vault-a", "secret"), Ct)).Select(Label));
    }

    [Fact]
    public async Task Records_are_isolated_by_vault_and_kind()
    {
        await using var store = await CreateStoreAsync();
        await PutAsync(
            store,
            Record("alpha", payload: [1]),
            Record("alpha", vault: "vault-b", payload: [2]),
            Record("alpha", kind: "key", payload: [3]));

        Assert.Equal(Bytes(1), await PayloadAsync(store, Key("alpha")));
        Assert.Equal(Bytes(2), await PayloadAsync(store, Key("alpha", vault: "vault-b")));
        Assert.Equal(Bytes(3), await PayloadAsync(store, Key("alpha", kind: "key")));
        var page = await store.ListAsync(new RecordQuery("vault-a", "secret"), Ct);
        Assert.Equal(Bytes(1), Assert.Single(page).Payload);
    }

    [Fact]
    public async Task List_pages_in_ordinal_name_order_after_the_given_name()
    {
        await using var store = await CreateStoreAsync();
        // Ordinal order; a culture-aware comparison would interleave case and ignore the hyphen.
        string[] ordered = ["0", "B", "a", "a-b", "a.b", "ab", "b", "z", "\u00e9"];
        await PutAsync(store, [.. ordered.Reverse().Select(name => Record(name))]);

        var seen = new List<string>();
        string? after = null;
        while (true)
        {
            var page = await store.ListAsync(new RecordQuery("vault-a", "secret") { After = after, Limit = 4 }, Ct);
            seen.AddRange(page.Select(r => r.Key.Name));
            if (page.Count < 4)
            {
                break;
            }
            after = page[^1].Key.Name;
        }

        Assert.Equal(ordered, seen);
    }

    [Fact]
    public async Task List_of_all_names_orders_by_name_then_version_and_skips_every_version_of_the_after_name()
    {
        await using var store = await CreateStoreAsync();
        await PutAsync(store, Record("b", "v1"), Record("a", "v2"), Record("c", "v1"), Record("a", "v1"), Record("b", "v0"));

        var all = await store.ListAsync(new RecordQuery("vault-a", "secret"), Ct);
        var afterA = await store.ListAsync(new RecordQuery("vault-a", "secret") { After = "a" }, Ct);

        Assert.Equal(["a/v1", "a/v2", "b/v0", "b/v1", "c/v1"], all.Select(Label));
        Assert.Equal(["b/v0", "b/v1", "c/v1"], afterA.Select(Label));
    }

    [Fact]
    public async Task List_of_one_name_pages_its_versions()
    {
        await using var store = await CreateStoreAsync();
        await PutAsync(
            store,
            Record("alpha", "v2"),
            Record("alpha", "V3"),
            Record("alpha", "v10"),
            Record("alpha", "v1"),
            Record("alphabet", "v5"),
            Record("alph", "v6"),
            Record("alpha", "v9", vault: "vault-b"));
        var query = new RecordQuery("vault-a", "secret") { Name = "alpha", Limit = 2 };

        var first = await store.ListAsync(query, Ct);
        var second = await store.ListAsync(query with { After = first[^1].Key.Version }, Ct);
        var third = await store.ListAsync(query with { After = second[^1].Key.Version }, Ct);

        Assert.Equal(["alpha/V3", "alpha/v1"], first.Select(Label));
        Assert.Equal(["alpha/v10", "alpha/v2"], second.Select(Label));
        Assert.Empty(third);
    }

    [Fact]
    public async Task List_returns_at_most_limit_records()
    {
        await using var store = await CreateStoreAsync();
        await PutAsync(store, [.. Enumerable.Range(0, 5).Select(i => Record($"name-{i}"))]);

        Assert.Equal(3, (await store.ListAsync(new RecordQuery("vault-a", "secret") { Limit = 3 }, Ct)).Count);
        Assert.Equal(5, (await store.ListAsync(new RecordQuery("vault-a", "secret") { Limit = 100 }, Ct)).Count);
        Assert.Empty(await store.ListAsync(new RecordQuery("vault-a", "secret") { Limit = 0 }, Ct));
    }

    [Fact]
    public async Task Deleted_filter_separates_live_and_deleted_records()
    {
        await using var store = await CreateStoreAsync();
        await PutAsync(
            store,
            Record("live"),
            Record("gone") with { Deleted = T0, PurgeAt = T0.AddDays(7) },
            Record("mixed", "v1"),
            Record("mixed", "v2") with { Deleted = T0 });
        var query = new RecordQuery("vault-a", "secret");

        Assert.Equal(["live/v1", "mixed/v1"], (await store.ListAsync(query, Ct)).Select(Label));
        Assert.Equal(["gone/v1", "mixed/v2"], (await store.ListAsync(query with { Deleted = DeletedFilter.Deleted }, Ct)).Select(Label));
        Assert.Equal(
            ["gone/v1", "live/v1", "mixed/v1", "mixed/v2"],
            (await store.ListAsync(query with { Deleted = DeletedFilter.Any }, Ct)).Select(Label));
        Assert.Equal(["mixed/v2"], (await store.ListAsync(query with { Name = "mixed", Deleted = DeletedFilter.Deleted }, Ct)).Select(Label));
    }

    [Fact]
    public async Task Due_for_purge_lists_only_records_whose_purge_time_has_passed()
    {
        await using var store = await CreateStoreAsync();
        await PutAsync(
            store,
            Record("overdue") with { Deleted = T0.AddDays(-90), PurgeAt = T0.AddMilliseconds(-1) },
            Record("due-now") with { Deleted = T0.AddDays(-90), PurgeAt = T0 },
            Record("not-yet") with { Deleted = T0.AddDays(-89), PurgeAt = T0.AddMilliseconds(1) },
            Record("deleted-without-purge-time") with { Deleted = T0.AddDays(-90) },
            Record("live"),
            Record("other-vault", vault: "vault-b") with { Deleted = T0.AddDays(-90), PurgeAt = T0.AddDays(-1) },
            Record("other-kind", kind: "key") with { Deleted = T0.AddDays(-90), PurgeAt = T0.AddDays(-1) });

        var due = await store.ListDueForPurgeAsync("secret", T0, 100, Ct);

        Assert.Equal(
            [Key("due-now"), Key("other-vault", vault: "vault-b"), Key("overdue")],
            due.OrderBy(k => k.Name, StringComparer.Ordinal));
    }

    [Fact]
    public async Task Due_for_purge_returns_at_most_limit_keys()
    {
        await using var store = await CreateStoreAsync();
        await PutAsync(store, [.. Enumerable.Range(0, 5).Select(i => Record($"name-{i}") with { Deleted = T0, PurgeAt = T0.AddMinutes(-i) })]);

        var due = await store.ListDueForPurgeAsync("secret", T0, 2, Ct);

        Assert.Equal(2, due.Count);
        Assert.Equal(2, due.Distinct().Count());
    }

    [Fact]
    public async Task Concurrent_writes_and_reads_all_take_effect()
    {
        await using var store = await CreateStoreAsync();

        await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(async () =>
        {
            await PutAsync(store, Record($"name-{i:D2}", payload: [(byte)i]));
            Assert.Equal(Bytes((byte)i), await PayloadAsync(store, Key($"name-{i:D2}")));
            await store.ListAsync(new RecordQuery("vault-a", "secret"), Ct);
        })));

        var all = await store.ListAsync(new RecordQuery("vault-a", "secret") { Limit = 100 }, Ct);
        Assert.Equal(Enumerable.Range(0, 24).Select(i => $"name-{i:D2}"), all.Select(r => r.Key.Name));
    }

    [Fact]
    public async Task Change_stamp_moves_after_each_committed_write_to_its_vault_and_kind()
    {
        await using var store = await CreateStoreAsync();
        var before = store.ChangeStamp("vault-a", "secret");

        await PutAsync(store, Record("alpha"));
        var afterPut = store.ChangeStamp("vault-a", "secret");
        await store.WriteAsync([new RecordWrite.Remove(Key("alpha"))], Ct);
        var afterRemove = store.ChangeStamp("vault-a", "secret");
        await store.WriteAsync([new RecordWrite.RemoveAll("vault-a", "secret", "alpha")], Ct);

        Assert.NotEqual(before, afterPut);
        Assert.NotEqual(afterPut, afterRemove);
        Assert.NotEqual(afterRemove, store.ChangeStamp("vault-a", "secret"));
    }

    [Fact]
    public async Task Change_stamp_stays_put_for_reads_other_kinds_and_failed_batches()
    {
        await using var store = await CreateStoreAsync();
        await PutAsync(store, Record("alpha"));
        var stamp = store.ChangeStamp("vault-a", "secret");

        await store.GetAsync(Key("alpha"), Ct);
        await store.ListAsync(new RecordQuery("vault-a", "secret"), Ct);
        await PutAsync(store, Record("beta", kind: "key"), Record("gamma", vault: "vault-b"));
        await Assert.ThrowsAsync<RecordConflictException>(() => store.WriteAsync(
            [new RecordWrite.Put(Record("delta")), new RecordWrite.Insert(Record("alpha"))], Ct));

        Assert.Equal(stamp, store.ChangeStamp("vault-a", "secret"));
    }

    [Fact]
    public async Task Scan_pages_every_record_of_every_vault_and_kind_in_key_order_including_deleted_ones()
    {
        await using var store = await CreateStoreAsync();
        await PutAsync(
            store,
            Record("b", "v1", vault: "vault-b"),
            Record("a", "v2"),
            Record("a", "v1", kind: "key"),
            Record("a", "v1") with { Deleted = T0 },
            Record("B", "v1"),
            Record("a", "", vault: "vault-b", kind: "key"));

        var seen = new List<string>();
        RecordKey? after = null;
        while (true)
        {
            var page = await store.ScanAsync(after, 2, Ct);
            seen.AddRange(page.Select(r => $"{r.Key.Vault}/{r.Key.Kind}/{r.Key.Name}/{r.Key.Version}"));
            if (page.Count < 2)
            {
                break;
            }
            after = page[^1].Key;
        }

        Assert.Equal(
            ["vault-a/key/a/v1", "vault-a/secret/B/v1", "vault-a/secret/a/v1", "vault-a/secret/a/v2", "vault-b/key/a/", "vault-b/secret/b/v1"],
            seen);
    }

    [Fact]
    public async Task Scan_returns_every_field_and_at_most_limit_records()
    {
        await using var store = await CreateStoreAsync();
        var record = Record("alpha", payload: [9, 8, 7]) with { Deleted = T0.AddMinutes(1), PurgeAt = T0.AddDays(7), Enabled = false };
        await PutAsync(store, record, Record("beta"));

        AssertSameRecord(record, Assert.Single(await store.ScanAsync(null, 1, Ct)));
        Assert.Empty(await store.ScanAsync(null, 0, Ct));
        Assert.Empty(await store.ScanAsync(Key("beta"), 10, Ct));
    }

    [Fact]
    public async Task Swap_payload_replaces_only_the_payload_when_it_is_still_the_expected_one()
    {
        await using var store = await CreateStoreAsync();
        var record = Record("alpha", payload: [1, 2, 3]) with { Updated = T0.AddMinutes(5), Expires = T0.AddYears(1), Enabled = false };
        await PutAsync(store, record);

        await store.WriteAsync([new RecordWrite.SwapPayload(record.Key, [1, 2, 3], [4, 5, 6, 7])], Ct);

        AssertSameRecord(record with { Payload = [4, 5, 6, 7] }, await store.GetAsync(record.Key, Ct));
    }

    [Fact]
    public async Task Swap_payload_of_a_changed_or_missing_record_fails_and_applies_nothing_of_the_batch()
    {
        await using var store = await CreateStoreAsync();
        await PutAsync(store, Record("alpha", payload: [1]), Record("beta", payload: [2]));
        var stamp = store.ChangeStamp("vault-a", "secret");

        await Assert.ThrowsAsync<RecordConflictException>(() => store.WriteAsync(
            [new RecordWrite.SwapPayload(Key("alpha"), [1], [10]), new RecordWrite.SwapPayload(Key("beta"), [99], [20])], Ct));
        await Assert.ThrowsAsync<RecordConflictException>(() => store.WriteAsync(
            [new RecordWrite.SwapPayload(Key("gamma"), [1], [30])], Ct));

        Assert.Equal(Bytes(1), await PayloadAsync(store, Key("alpha")));
        Assert.Equal(Bytes(2), await PayloadAsync(store, Key("beta")));
        Assert.Null(await store.GetAsync(Key("gamma"), Ct));
        Assert.Equal(stamp, store.ChangeStamp("vault-a", "secret"));
    }

    protected static RecordKey Key(string name, string version = "v1", string vault = "vault-a", string kind = "secret") =>
        new(vault, kind, name, version);

    protected static StoredRecord Record(string name, string version = "v1", string vault = "vault-a", string kind = "secret", byte[]? payload = null) =>
        new()
        {
            Key = Key(name, version, vault, kind),
            Created = T0,
            Updated = T0,
            Payload = payload ?? [0xC1, 0xFE, 0x7E, 0x47],
        };

    protected static Task PutAsync(IRecordStore store, params StoredRecord[] records) =>
        store.WriteAsync([.. records.Select(r => new RecordWrite.Put(r))], Ct);

    /// <summary>Field by field; record equality alone would compare payload arrays by reference.</summary>
    protected static void AssertSameRecord(StoredRecord expected, StoredRecord? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected with { Payload = Array.Empty<byte>() }, actual with { Payload = Array.Empty<byte>() });
        Assert.Equal(expected.Payload, actual.Payload);
    }

    protected static async Task<byte[]> PayloadAsync(IRecordStore store, RecordKey key)
    {
        var record = await store.GetAsync(key, Ct);
        Assert.NotNull(record);
        return record.Payload;
    }

    private static byte[] Bytes(params byte[] bytes) => bytes;

    private static string Label(StoredRecord record) => $"{record.Key.Name}/{record.Key.Version}";
}
