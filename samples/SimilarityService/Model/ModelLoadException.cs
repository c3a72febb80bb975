namespace SimilarityService.Model;

/// <summary>A model file that cannot be served, with a message naming the file and what is wrong.</summary>
public sealed class ModelLoadException(string message, Exception? inner = null) : Exception(message, inner);
