namespace MlNetSiamese;

/// <summary>Accuracy of N-way K-shot episodes (<see cref="Evaluation.FewShotEvaluator"/>), each with its 95% interval half-width.</summary>
/// <param name="Ways">Classes per episode (N).</param>
/// <param name="Shots">Support items per class (K).</param>
/// <param name="Episodes">Episodes averaged.</param>
/// <param name="Queries">Queries labelled over all episodes.</param>
/// <param name="NearestSupportAccuracy">Share of queries whose nearest support item is of their class.</param>
/// <param name="NearestSupportHalfWidth95">Half-width of its 95% interval.</param>
/// <param name="PrototypeAccuracy">Share of queries whose nearest class prototype is theirs.</param>
/// <param name="PrototypeHalfWidth95">Half-width of its 95% interval.</param>
public sealed record FewShotResult(int Ways, int Shots, int Episodes, int Queries, double NearestSupportAccuracy, double NearestSupportHalfWidth95,
    double PrototypeAccuracy, double PrototypeHalfWidth95);
