using System.Buffers.Binary;
using System.IO.Hashing;
using Google.Protobuf;
using HighLoad.Otlp.Intake;
using HighLoad.Otlp.Model;
using Microsoft.Extensions.Logging;

namespace HighLoad.Otlp.Storage;

/// <summary>
/// The received export requests, appended to segment files in a directory so telemetry outlives a restart.
/// A record is [kind:1][length:4][crc32:4][protobuf]; a clear is the kinds it clears with <see cref="ClearFlag"/>
/// and no body. A torn or corrupt record ends its segment's replay and the next segment is read. Retention deletes whole segments, oldest first, past a size or an age.
/// </summary>
internal sealed class TelemetrySegmentLog : IDisposable
{
    private const string Extension = ".otlpseg";
    private const int HeaderBytes = 9;
    private const byte ClearFlag = 0x80;
    private const byte AllKinds = (byte)(TelemetryKind.Traces | TelemetryKind.Metrics | TelemetryKind.Logs);
    private const int MaxRecordBytes = 64 * 1024 * 1024;

    private readonly TelemetryPersistenceOptions _options;
    private readonly string _directory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private FileStream? _current;

    public TelemetrySegmentLog(TelemetryPersistenceOptions options, TimeProvider timeProvider, ILogger logger)
    {
        _options = options;
        _directory = Path.GetFullPath(options.Directory ?? throw new ArgumentException("No telemetry directory.", nameof(options)));
        _timeProvider = timeProvider;
        _logger = logger;
        Directory.CreateDirectory(_directory);
    }

    /// <summary>
    /// Every record still kept, oldest first, a null payload for a clear; the segment being written is never among
    /// them (a new one begins on start).
    /// </summary>
    public IEnumerable<(TelemetryKind Kind, byte[]? Payload)> ReadAll()
    {
        EnforceRetention();
        foreach (var path in Segments())
        {
            foreach (var record in ReadSegment(path))
                yield return record;
        }
    }

    public void Append(TelemetryBatch batch)
    {
        var payload = batch.Request?.ToByteArray() ?? [];
        Span<byte> header = stackalloc byte[HeaderBytes];
        header[0] = batch.IsClear ? (byte)((byte)batch.Kind | ClearFlag) : (byte)batch.Kind;
        BinaryPrimitives.WriteInt32LittleEndian(header[1..], payload.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[5..], Crc32.HashToUInt32(payload));

        var segment = _current ??= OpenNewSegment();
        try
        {
            segment.Write(header);
            segment.Write(payload);
        }
        catch (IOException)
        {
            // What follows a half-written record could never be replayed: the next batch begins a new segment.
            segment.Dispose();
            _current = null;
            throw;
        }

        if (segment.Length >= _options.SegmentBytes)
        {
            segment.Dispose();
            _current = null;
            EnforceRetention();
        }
    }

    public void Dispose() => _current?.Dispose();

    private IEnumerable<(TelemetryKind, byte[]?)> ReadSegment(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        }
        catch (IOException e)
        {
            _logger.LogWarning(e, "Telemetry segment {Path} could not be opened; skipped.", path);
            yield break;
        }

        using (file)
        {
            var header = new byte[HeaderBytes];
            while (true)
            {
                if (file.ReadAtLeast(header, HeaderBytes, throwOnEndOfStream: false) < HeaderBytes) yield break;
                var isClear = (header[0] & ClearFlag) != 0;
                var kind = (TelemetryKind)(header[0] & ~ClearFlag);
                var length = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(1));
                var crc = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(5));
                var knownKind = isClear
                    ? kind != TelemetryKind.None && ((byte)kind & ~AllKinds) == 0 && length == 0
                    : kind is TelemetryKind.Traces or TelemetryKind.Metrics or TelemetryKind.Logs;
                if (!knownKind || length < 0 || length > MaxRecordBytes || length > file.Length - file.Position)
                {
                    _logger.LogWarning("Telemetry segment {Path} ends in a torn record at byte {Offset}; the rest is skipped.", path, file.Position - HeaderBytes);
                    yield break;
                }
                var payload = new byte[length];
                file.ReadExactly(payload);
                if (Crc32.HashToUInt32(payload) != crc)
                {
                    _logger.LogWarning("Telemetry segment {Path} has a corrupt record at byte {Offset}; the rest is skipped.", path, file.Position - length - HeaderBytes);
                    yield break;
                }
                yield return (kind, isClear ? null : payload);
            }
        }
    }

    private FileStream OpenNewSegment()
    {
        var ticks = _timeProvider.GetUtcNow().UtcTicks;
        while (true)
        {
            // Names sort in the order segments were begun.
            var path = Path.Combine(_directory, $"{ticks:D19}{Extension}");
            try
            {
                // Unbuffered: each write reaches the OS at once, so a dashboard crash loses nothing (a machine crash may lose the tail).
                return new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete, bufferSize: 0);
            }
            catch (IOException) when (File.Exists(path))
            {
                ticks++;
            }
        }
    }

    private string[] Segments() => [.. Directory.GetFiles(_directory, "*" + Extension).Order(StringComparer.Ordinal)];

    private void EnforceRetention()
    {
        var oldestKept = _timeProvider.GetUtcNow() - _options.MaxAge;
        var segments = Segments().Select(path => new FileInfo(path)).Where(f => f.FullName != _current?.Name).ToList();
        var total = segments.Sum(f => f.Length) + (_current?.Length ?? 0);
        foreach (var segment in segments)
        {
            if (total <= _options.MaxBytes && segment.LastWriteTimeUtc >= oldestKept.UtcDateTime) break;
            try
            {
                segment.Delete();
                total -= segment.Length;
            }
            catch (IOException e)
            {
                _logger.LogWarning(e, "Telemetry segment {Path} could not be deleted.", segment.FullName);
            }
        }
    }
}
