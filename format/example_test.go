package format_test

import (
	"fmt"

	"github.com/redish/redish/format"
	"github.com/redish/redish/resp"
)

func ExampleAppend() {
	reply := resp.Array(resp.BulkString("a \"quoted\" value"), resp.Int(42), resp.Nil())
	for _, m := range []format.Mode{format.TTY, format.Raw, format.CSV, format.JSON} {
		fmt.Printf("%s", format.Append(nil, reply, format.DefaultOptions(m)))
	}
	// Output:
	// 1) "a \"quoted\" value"
	// 2) (integer) 42
	// 3) (nil)
	// a "quoted" value
	// 42
	//
	// "a \"quoted\" value",42,NULL
	// ["a \"quoted\" value",42,null]
}
