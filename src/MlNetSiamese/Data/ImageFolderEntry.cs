namespace MlNetSiamese;

/// <summary>One image of an image folder: its path and its class (the name of the folder it is in).</summary>
public sealed class ImageFolderEntry
{
    /// <summary>Full path of the image file.</summary>
    public string ImagePath { get; set; } = "";

    /// <summary>Class name: the name of the sub-folder of the root that holds the image.</summary>
    public string Label { get; set; } = "";
}
