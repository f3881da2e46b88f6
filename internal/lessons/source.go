package lessons

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"strings"
)

// Source is a function's text as it is in the file, doc comment included,
// and where it starts.
type Source struct {
	Func Func   `json:"func"`
	Line int    `json:"line"`
	Text string `json:"text"`
}

// Extract finds f in fsys (the module's files) with go/parser and returns
// its text. A method is named "Type.Method", whether its receiver is a
// pointer or not.
func Extract(fsys fs.FS, f Func) (Source, error) {
	if fsys == nil {
		return Source{}, fmt.Errorf("lessons: no source for %s in %s: this build embeds none", f.Name, f.File)
	}
	src, err := fs.ReadFile(fsys, f.File)
	if err != nil {
		return Source{}, fmt.Errorf("lessons: read %s: %w", f.File, err)
	}
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, f.File, src, parser.ParseComments)
	if err != nil {
		return Source{}, fmt.Errorf("lessons: parse %s: %w", f.File, err)
	}
	recv, name, isMethod := strings.Cut(f.Name, ".")
	if !isMethod {
		recv, name = "", f.Name
	}
	for _, d := range file.Decls {
		fd, ok := d.(*ast.FuncDecl)
		if !ok || fd.Name.Name != name || receiver(fd) != recv {
			continue
		}
		start := fd.Pos()
		if fd.Doc != nil {
			start = fd.Doc.Pos()
		}
		from, to := fset.Position(start), fset.Position(fd.End())
		return Source{Func: f, Line: from.Line, Text: string(src[from.Offset:to.Offset])}, nil
	}
	return Source{}, fmt.Errorf("lessons: no function %s in %s", f.Name, f.File)
}

// receiver is the type name of fd's receiver, "" for a plain function.
func receiver(fd *ast.FuncDecl) string {
	if fd.Recv == nil || len(fd.Recv.List) == 0 {
		return ""
	}
	t := fd.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}
