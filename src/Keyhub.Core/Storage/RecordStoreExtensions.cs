using System.Runtime.CompilerServices;

namespace Keyhub.Core.Storage;

public static class RecordStoreExtensions
{
    private const int PageSize = 200;

    /// <summary>
    /// Every record matching <paramref name="query"/> (its <c>After</c> and <c>Limit</c> are ignored), read page by
    /// page. Pages by name, so use it for kinds with one record per name (see <see cref="RecordQuery"/>).
    /// </summary>
    public static async IAsyncEnumerable<StoredRecord> ListAllAsync(
        this IRecordStore store, RecordQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? after = null;
        while (true)
        {
            var page = await store.ListAsync(query with { After = after, Limit = PageSize }, cancellationToken);
            foreach (var record in page)
            {
                yield return record;
            }
            if (page.Count < PageSize)
            {
                yield break;
            }
            after = page[^1].Key.Name;
        }
    }
}
