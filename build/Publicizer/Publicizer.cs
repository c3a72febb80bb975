// Writes a copy of a .NET assembly in which every type, method and field is public.
// Why: ML.NET keeps its persistence API (ModelSaveContext, ModelLoadContext, VersionInfo,
// LoadableClassAttribute, ...) internal. We compile against publicized copies of
// Microsoft.ML.Core and Microsoft.ML.Data and declare [IgnoresAccessChecksTo] for them, so the
// runtime lets our assembly call those members. The copies are compile-time references only;
// at run time the real ML.NET assemblies are loaded.
// The visibility bits sit in fixed-size metadata table rows, so the copy is made by flipping
// those bits in place: no re-emission, no other change to the file.
using System;
using System.IO;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace MlNetSiamese.Build
{
    public static class Publicizer
    {
        public static void Publicize(string source, string destination)
        {
            byte[] bytes = File.ReadAllBytes(source);
            using (var pe = new PEReader(new MemoryStream(bytes)))
            {
                MetadataReader md = pe.GetMetadataReader();
                int metadataStart = pe.PEHeaders.MetadataStartOffset;

                // TypeDef row: Flags (uint32) first.
                Patch(bytes, md, metadataStart, TableIndex.TypeDef, 0, 4, flags =>
                {
                    var f = (TypeAttributes)flags;
                    var vis = f & TypeAttributes.VisibilityMask;
                    bool nested = vis != TypeAttributes.NotPublic && vis != TypeAttributes.Public;
                    f = (f & ~TypeAttributes.VisibilityMask) | (nested ? TypeAttributes.NestedPublic : TypeAttributes.Public);
                    return (uint)f;
                });
                // Field row: Flags (uint16) first.
                Patch(bytes, md, metadataStart, TableIndex.Field, 0, 2, flags =>
                    (uint)(((FieldAttributes)flags & ~FieldAttributes.FieldAccessMask) | FieldAttributes.Public));
                // MethodDef row: RVA (uint32), ImplFlags (uint16), Flags (uint16).
                Patch(bytes, md, metadataStart, TableIndex.MethodDef, 6, 2, flags =>
                {
                    var f = (MethodAttributes)flags;
                    // Virtual members keep their accessibility: widening them would force overrides
                    // in our code to declare an accessibility the runtime type does not have.
                    if ((f & MethodAttributes.Virtual) != 0) return flags;
                    return (uint)((f & ~MethodAttributes.MemberAccessMask) | MethodAttributes.Public);
                });
            }
            string tmp = destination + ".tmp";
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(destination))!);
            File.WriteAllBytes(tmp, bytes);
            File.Move(tmp, destination, overwrite: true);
        }

        static void Patch(byte[] bytes, MetadataReader md, int metadataStart, TableIndex table, int column, int size, Func<uint, uint> change)
        {
            int rows = md.GetTableRowCount(table), rowSize = md.GetTableRowSize(table);
            int start = metadataStart + md.GetTableMetadataOffset(table) + column;
            for (int r = 0; r < rows; r++)
            {
                int at = start + r * rowSize;
                uint v = size == 4 ? BitConverter.ToUInt32(bytes, at) : BitConverter.ToUInt16(bytes, at);
                uint nv = change(v);
                if (size == 4) BitConverter.GetBytes(nv).CopyTo(bytes, at);
                else BitConverter.GetBytes((ushort)nv).CopyTo(bytes, at);
            }
        }
    }

    public static class Program
    {
        /// <summary>Usage: Publicizer OUTPUT_DIR ASSEMBLY... ; rewrites a copy only when the source is newer.</summary>
        public static int Main(string[] args)
        {
            if (args.Length < 2) { Console.Error.WriteLine("usage: Publicizer OUTPUT_DIR ASSEMBLY..."); return 2; }
            foreach (var source in args.Skip(1))
            {
                string dest = Path.Combine(args[0], Path.GetFileName(source));
                if (!File.Exists(dest) || File.GetLastWriteTimeUtc(dest) < File.GetLastWriteTimeUtc(source))
                    Publicizer.Publicize(source, dest);
            }
            return 0;
        }
    }
}
