using System.Text.RegularExpressions;
using CathLab.Acquisition.Configuration;
using CathLab.Station.Configuration;
using Microsoft.Extensions.Options;

namespace CathLab.Station.Hosting;

/// <summary>Reads the station's configuration: each component's section, each list item and the station's own keys
/// are bound on their own, so that a value that cannot be bound (a word where an enum belongs) is one problem among
/// the others rather than the end of the reading. Then each section checks its own values.</summary>
public static partial class StationConfiguration
{
    public static (StationOptions Options, IReadOnlyList<string> Problems) Read(IConfiguration configuration)
    {
        var root = configuration.GetSection(StationOptions.Section);
        var options = new StationOptions();
        var problems = new List<string>();
        var separate = options.Components.Select(c => c.Key).Concat(StationOptions.ListKeys).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var own = new ConfigurationBuilder().AddInMemoryCollection(root.AsEnumerable(makePathsRelative: true)
            .Where(kv => kv.Value is not null && !separate.Contains(kv.Key.Split(ConfigurationPath.KeyDelimiter)[0]))).Build();
        var reading = new Reading(configuration, problems);
        bool ownBound = reading.TryBind(own, options, StationOptions.Section);
        foreach (var (key, section) in options.Components)
        {
            if (reading.TryBind(root.GetSection(key), section, $"{StationOptions.Section}:{key}"))
                problems.AddRange(section.Problems($"{StationOptions.Section}:{key}"));
        }
        var unbound = new HashSet<string>(StringComparer.Ordinal);
        reading.BindItems(root.GetSection(nameof(StationOptions.Pacs)), options.Pacs, unbound);
        reading.BindItems(root.GetSection(nameof(StationOptions.Tokens)), options.Tokens, unbound);
        reading.BindItems(root.GetSection(nameof(StationOptions.Protocols)), options.Protocols, unbound);
        foreach (var (key, item) in options.Items)
        {
            if (!unbound.Contains(key)) problems.AddRange(item.Problems($"{StationOptions.Section}:{key}"));
        }
        if (ownBound) problems.AddRange(options.OwnProblems(StationOptions.Section));
        return (options, problems);
    }

    /// <summary>Each component's options for the container, bound from its section and checked again when the host starts.</summary>
    public static IServiceCollection AddStationSections(this IServiceCollection services)
    {
        AddSection<StationOptions>(services, Options.DefaultName, StationOptions.Section);
        var components = new StationOptions().Components.ToList();
        var add = typeof(StationConfiguration).GetMethod(nameof(AddSection), System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static)!;
        foreach (var (key, section) in components)
        {
            // Two sections of one type (the RIS peers) are told apart by name; the others are the type's only options.
            string name = components.Count(c => c.Options.GetType() == section.GetType()) > 1 ? key : Options.DefaultName;
            add.MakeGenericMethod(section.GetType()).Invoke(null, [services, name, $"{StationOptions.Section}:{key}"]);
        }
        return services;
    }

    private static void AddSection<T>(IServiceCollection services, string name, string path) where T : class, IOptionsSection
    {
        services.AddOptions<T>(name).BindConfiguration(path).ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new SectionValidator<T>(name, path));
    }

    /// <summary>One reading of the configuration: the problems so far, and the whole configuration to quote values from.</summary>
    private sealed class Reading(IConfiguration all, List<string> problems)
    {
        public void BindItems<T>(IConfigurationSection list, List<T> into, HashSet<string> unbound) where T : new()
        {
            foreach (var child in list.GetChildren().OrderBy(c => int.TryParse(c.Key, out int i) ? i : int.MaxValue))
            {
                var item = new T();
                string key = $"{list.Key}:{into.Count}";
                if (!TryBind(child, item, child.Path)) unbound.Add(key);
                into.Add(item);
            }
        }

        public bool TryBind(IConfiguration section, object target, string path)
        {
            try
            {
                section.Bind(target);
                return true;
            }
            catch (InvalidOperationException e)
            {
                problems.Add(Unbindable(e.Message, path));
                return false;
            }
        }

        /// <summary>The binder's "Failed to convert configuration value ... at 'K' to type 'T'" in the words of the other problems.</summary>
        private string Unbindable(string message, string path)
        {
            var match = ConversionFailure().Match(message);
            if (!match.Success) return $"{path}: {message}";
            string key = match.Groups["key"].Value;
            string at = key.StartsWith(StationOptions.Section + ConfigurationPath.KeyDelimiter, StringComparison.OrdinalIgnoreCase) ? key : $"{StationOptions.Section}:{key}";
            string value = match.Groups["value"].Success ? match.Groups["value"].Value : all[at] ?? "";
            var type = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(match.Groups["type"].Value)).FirstOrDefault(t => t is not null);
            string expected = type is { IsEnum: true } ? $"one of {string.Join(", ", Enum.GetNames(type))}" : $"a value of type {type?.Name ?? match.Groups["type"].Value}";
            return $"{at} '{value}' must be {expected}";
        }
    }

    [GeneratedRegex("value (?:'(?<value>.*)' )?at '(?<key>[^']*)' to type '(?<type>[^']*)'")]
    private static partial Regex ConversionFailure();

    /// <summary>A component's own check as the options framework runs it.</summary>
    private sealed class SectionValidator<T>(string name, string path) : IValidateOptions<T> where T : class, IOptionsSection
    {
        public ValidateOptionsResult Validate(string? optionsName, T options)
        {
            if ((optionsName ?? Options.DefaultName) != name) return ValidateOptionsResult.Skip;
            var problems = options.Problems(path).ToList();
            return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
        }
    }
}
