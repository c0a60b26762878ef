package secret

import (
	"github.com/redish/redish/resp"
)

// MaskReply returns v with the secrets masked in its error replies, at any
// depth (an error inside the reply of EXEC, in a map). The other replies
// are data the user asked for and are left as they are. v itself is not
// modified: what changes is copied.
func (s *Set) MaskReply(v resp.Value) resp.Value {
	if s.Empty() {
		return v
	}
	v, _ = s.maskReply(v)
	return v
}

func (s *Set) maskReply(v resp.Value) (resp.Value, bool) {
	changed := false
	switch {
	case v.Kind == resp.KindError:
		masked := s.MaskBytes(v.Str)
		if len(masked) != len(v.Str) || (len(masked) > 0 && &masked[0] != &v.Str[0]) {
			v.Str, changed = masked, true
		}
	case v.Kind.IsAggregate():
		var elems []resp.Value
		for i, e := range v.Elems {
			m, ok := s.maskReply(e)
			if !ok {
				continue
			}
			if elems == nil {
				elems = append([]resp.Value(nil), v.Elems...)
			}
			elems[i] = m
		}
		if elems != nil {
			v.Elems, changed = elems, true
		}
	}
	if v.Attrs != nil {
		if a, ok := s.maskReply(*v.Attrs); ok {
			v.Attrs, changed = &a, true
		}
	}
	return v, changed
}
