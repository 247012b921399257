using Keyhub.Core.Storage;

namespace Keyhub.Storage.Sqlite.Tests;

/// <summary>
/// The records in Golden/format-v1.db, written by format version 1. These values are the file's
/// contents: change neither, or the test no longer proves that old databases still open.
/// </summary>
internal static class GoldenFormatV1
{
    public const string FileName = "format-v1.db";

    public static IReadOnlyList<StoredRecord> Records { get; } =
    [
        new()
        {
            Key = new("vault-a", "secret", "db-password", "5a1c0e7b9d2f4e6a8b3c1d0e9f7a6b5c"),
            Created = At("2025-01-02T03:04:05.678Z"),
            Updated = At("2025-01-02T03:04:05.678Z"),
            Payload = Convert.FromHexString("0100000001A1B2C3D4E5F60718293A4B5C6D7E8F90"),
        },
        new()
        {
            Key = new("vault-a", "secret", "db-password", "e4d3c2b1a0f9e8d7c6b5a49382716050"),
            Created = At("2025-01-09T10:11:12.013Z"),
            Updated = At("2025-01-10T00:00:00.001Z"),
            Expires = At("2026-01-09T10:11:12.000Z"),
            Enabled = false,
            Payload = Convert.FromHexString("010000000200FF00FF7F80"),
        },
        new()
        {
            Key = new("vault-a", "secret", "retired", "00000000000000000000000000000001"),
            Created = At("2024-11-30T23:59:59.999Z"),
            Updated = At("2025-02-01T12:00:00.000Z"),
            Deleted = At("2025-02-01T12:00:00.000Z"),
            PurgeAt = At("2025-05-02T12:00:00.000Z"),
            Payload = [.. Enumerable.Range(0, 300).Select(i => (byte)(i * 7))],
        },
        new()
        {
            Key = new("vault-b", "key", "signing", "9f8e7d6c5b4a39281706f5e4d3c2b1a0"),
            Created = At("1999-12-31T23:59:59.500Z"),
            Updated = At("2025-03-01T08:00:00.250Z"),
            Expires = At("9999-12-31T23:59:59.999Z"),
            Payload = [.. Enumerable.Range(0, 256).Select(i => (byte)i)],
        },
        new()
        {
            Key = new("vault-b", "secret", "empty", "0123456789abcdef0123456789abcdef"),
            Created = At("2025-04-05T06:07:08.009Z"),
            Updated = At("2025-04-05T06:07:08.009Z"),
            Payload = [],
        },
    ];

    private static DateTimeOffset At(string instant) =>
        DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);
}
