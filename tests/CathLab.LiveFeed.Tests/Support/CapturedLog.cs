using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CathLab.LiveFeed.Tests.Support;

/// <summary>A logger provider that keeps every entry, for tests that check what the server logs.</summary>
internal sealed class CapturedLog : ILoggerProvider
{
    private readonly ConcurrentQueue<(LogLevel Level, string Category, string Message, Exception? Error)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Category, string Message, Exception? Error)> Entries => _entries.ToArray();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) log._entries.Enqueue((logLevel, category, formatter(state, exception), exception));
        }
    }
}
