// Marks one GLIBCXX version requirement of an ELF64 shared library as weak (VER_FLG_WEAK).
// Why: libLibTorchSharp.so (TorchSharp 0.107) asks for GLIBCXX_3.4.32 for a single symbol,
// std::ios_base_library_init, that GCC 13 only emits as a link-time marker and nothing calls.
// Hosts with an older libstdc++ (Debian 12, Ubuntu 22.04: up to 3.4.30) then refuse to load it.
// A weak requirement is checked with a warning instead of an error; the library loads and works.
// Compiled twice: by MSBuild's RoslynCodeTaskFactory against netstandard (hence no spans) for the build-time fix, and
// into the library (MLNETSIAMESE_RUNTIME, without the MSBuild task) for the run-time fix of Torch/NativeLibraryFix.cs.
using System;
using System.IO;
using System.Text;
#if !MLNETSIAMESE_RUNTIME
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;
#endif

namespace MlNetSiamese.Build
{
    internal static class ElfWeakVersion
    {
        const ushort VerFlgWeak = 0x2;
        const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>Where Linux distributions keep libstdc++.</summary>
        public static readonly string[] LibStdCxxPaths =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6", "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6", "/usr/lib/libstdc++.so.6", "/usr/lib/aarch64-linux-gnu/libstdc++.so.6",
        };

        /// <summary>True when any of the given libstdc++ files provides <paramref name="version"/>.</summary>
        public static bool HostProvides(string version, params string[] candidates)
        {
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            foreach (var path in candidates)
            {
                if (!File.Exists(path)) continue;
                byte[] bytes = File.ReadAllBytes(path);
                if (IndexOf(bytes, needle) >= 0) return true;
            }
            return false;
        }

        static int IndexOf(byte[] haystack, byte[] needle)
        {
            for (int i = Array.IndexOf(haystack, needle[0]); i >= 0 && i <= haystack.Length - needle.Length; i = Array.IndexOf(haystack, needle[0], i + 1))
            {
                int k = 1;
                while (k < needle.Length && haystack[i + k] == needle[k]) k++;
                if (k == needle.Length) return i;
            }
            return -1;
        }

        /// <summary>Sets VER_FLG_WEAK on the requirement named <paramref name="version"/>.
        /// Returns "patched", "already weak" or "not required"; throws on a file that is not ELF64 little-endian.</summary>
        public static string MakeWeak(string path, string version)
        {
            byte[] b = File.ReadAllBytes(path);
            long at = RequirementFlags(b, path, version);
            if (at < 0) return "not required";
            ushort flags = BitConverter.ToUInt16(b, (int)at);
            if ((flags & VerFlgWeak) != 0) return "already weak";
            BitConverter.GetBytes((ushort)(flags | VerFlgWeak)).CopyTo(b, (int)at);
            string tmp = path + ".tmp";
            File.WriteAllBytes(tmp, b);
            File.Replace(tmp, path, null);
            return "patched";
        }

        /// <summary>True when the file requires <paramref name="version"/> and the requirement is not weak (the loader refuses it on a host without it).</summary>
        public static bool RequiresStrongly(string path, string version)
        {
            byte[] b = File.ReadAllBytes(path);
            long at = RequirementFlags(b, path, version);
            return at >= 0 && (BitConverter.ToUInt16(b, (int)at) & VerFlgWeak) == 0;
        }

        /// <summary>The file offset of the vna_flags of the requirement named <paramref name="version"/>, or -1 when there is none.</summary>
        static long RequirementFlags(byte[] b, string path, string version)
        {
            if (b.Length < 64 || b[0] != 0x7f || b[1] != (byte)'E' || b[2] != (byte)'L' || b[3] != (byte)'F' || b[4] != 2 || b[5] != 1)
                throw new InvalidDataException($"{path}: not a little-endian ELF64 file.");
            long shoff = BitConverter.ToInt64(b, 0x28);
            int shentsize = BitConverter.ToUInt16(b, 0x3A), shnum = BitConverter.ToUInt16(b, 0x3C);
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (BitConverter.ToUInt32(b, (int)sh + 4) != ShtGnuVerneed) continue;
                long off = BitConverter.ToInt64(b, (int)sh + 0x18);
                int link = (int)BitConverter.ToUInt32(b, (int)sh + 0x28);
                long strOff = BitConverter.ToInt64(b, (int)(shoff + (long)link * shentsize) + 0x18);
                long vn = off;
                while (true)
                {
                    int cnt = BitConverter.ToUInt16(b, (int)vn + 2);
                    long vna = vn + BitConverter.ToUInt32(b, (int)vn + 8);
                    for (int k = 0; k < cnt; k++)
                    {
                        long name = strOff + BitConverter.ToUInt32(b, (int)vna + 8);
                        int end = Array.IndexOf(b, (byte)0, (int)name);
                        if (Encoding.ASCII.GetString(b, (int)name, end - (int)name) == version) return vna + 4;
                        uint nextAux = BitConverter.ToUInt32(b, (int)vna + 12);
                        if (nextAux == 0) break;
                        vna += nextAux;
                    }
                    uint next = BitConverter.ToUInt32(b, (int)vn + 12);
                    if (next == 0) break;
                    vn += next;
                }
            }
            return -1;
        }
    }

#if !MLNETSIAMESE_RUNTIME
    /// <summary>MSBuild task: patch each given copy of libLibTorchSharp.so when the host libstdc++ lacks the version.</summary>
    public class MakeGlibcxxRequirementWeak : Task
    {
        [Required] public ITaskItem[] Files { get; set; } = Array.Empty<ITaskItem>();
        [Required] public string Version { get; set; } = "";

        public override bool Execute()
        {
            if (ElfWeakVersion.HostProvides(Version, ElfWeakVersion.LibStdCxxPaths)) return true;
            foreach (var item in Files)
            {
                string result = ElfWeakVersion.MakeWeak(item.ItemSpec, Version);
                if (result == "patched")
                    Log.LogMessage(MessageImportance.High, $"MlNetSiamese: host libstdc++ lacks {Version}; made it a weak requirement in {item.ItemSpec}");
            }
            return !Log.HasLoggedErrors;
        }
    }
#endif
}
